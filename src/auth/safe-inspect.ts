/**
 * How objects that hold secrets print. `context.log(provider)` formats with util.inspect, and
 * JSON.stringify is everyone's quick dump: both show what identifies a credential (its identity,
 * source, endpoint) and never what unlocks it (a certificate, its password, IDENTITY_HEADER, a
 * token).
 */
import { inspect, type InspectOptions } from 'node:util';

export const HIDDEN = '[hidden]';

/** `Name { …summary }`, for a class's `[inspect.custom]`. */
export function inspectSummary(name: string, summary: object, options: InspectOptions): string {
  return `${name} ${inspect(summary, options)}`;
}

/**
 * Makes a plain settings object print and serialise with `secretKeys` shown as HIDDEN. The
 * object keeps its enumerable data, so its type and every reader are unchanged; only
 * util.inspect and JSON.stringify see the safe copy (a spread copy is the caller's own).
 */
export function hideSecrets<T extends object>(value: T, secretKeys: readonly (keyof T & string)[]): T {
  const safeCopy = (): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const key of secretKeys) if (copy[key] !== undefined) copy[key] = HIDDEN;
    return copy;
  };
  Object.defineProperties(value, {
    toJSON: { value: safeCopy },
    [inspect.custom]: { value: (_depth: number, options: InspectOptions) => inspect(safeCopy(), options) },
  });
  return value;
}
