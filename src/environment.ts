/**
 * Reading settings from an environment (process.env or local.settings values), one way for the
 * whole app: blank counts as unset, and every bad value fails with an error, built by the caller,
 * that names the setting. src/auth raises TokenError(configuration_error), the app settings raise
 * AppSettingError; the rules for what a valid value looks like are the same.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Builds the caller's error for `setting`; the message already names the setting and the bad value. */
export type SettingFailure = (setting: string, message: string) => Error;

export interface SettingReader {
  /** The trimmed value, or undefined when unset or blank. */
  read(name: string): string | undefined;
  required(name: string, hint: string): string;
  /** `true`/`1`/`false`/`0`, any case. */
  boolean(name: string, fallback: boolean): boolean;
  integer(name: string, fallback: number, min: number, max: number): number;
  /** An integer in [min, max], or undefined when unset. */
  optionalInteger(name: string, min: number, max: number): number | undefined;
  /** A URL whose protocol is one of `protocols` (e.g. `['https:']`). */
  url(name: string, value: string, protocols: readonly string[]): URL;
}

export function settingReader(env: Environment, fail: SettingFailure): SettingReader {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const optionalInteger = (name: string, min: number, max: number): number | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw fail(name, `${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  return {
    read,
    required(name, hint) {
      const value = read(name);
      if (value === undefined) throw fail(name, `${name} is not set: ${hint}`);
      return value;
    },
    boolean(name, fallback) {
      const raw = read(name)?.toLowerCase();
      if (raw === undefined) return fallback;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw fail(name, `${name} must be true or false, got "${raw}"`);
    },
    integer: (name, fallback, min, max) => optionalInteger(name, min, max) ?? fallback,
    optionalInteger,
    url(name, value, protocols) {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw fail(name, `${name} is not a URL, got "${value}"`);
      }
      if (!protocols.includes(url.protocol)) throw fail(name, `${name} must use ${protocols.join(' or ')}, got "${url.protocol}"`);
      return url;
    },
  };
}
