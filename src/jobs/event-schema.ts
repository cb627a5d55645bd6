/**
 * The queue message's shape lives in one place, event.schema.json (JSON Schema draft 2020-12),
 * which producers in any language can validate against before sending; the worker enforces the
 * same file with ajv. Ajv is loaded and the schema compiled on the first message, not at module
 * load: a cold start that runs only the timer function pays nothing for them.
 */
import { createRequire } from 'node:module';
import type * as Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { FormatsPlugin } from 'ajv-formats';
import eventSchema from './event.schema.json' with { type: 'json' };

// The schema object itself stays private: exporting it would put a JSON import into the
// published .d.ts files, which a consumer's compiler would then have to resolve.
export const knownEventTypes: ReadonlySet<string> = new Set(eventSchema.properties.type.enum);

/** One way a message breaks the schema: the top-level field at fault and a short, value-free explanation. */
export interface SchemaViolation {
  field: string;
  keyword: string;
  detail: string;
}

/** Longest field name quoted back in a detail: a producer's typo is worth showing, a 10 kB key is not. */
const maxQuotedNameLength = 64;

let validator: ValidateFunction | undefined;

function compiledValidator(): ValidateFunction {
  if (validator) return validator;
  // CommonJS packages, required on first use rather than imported: loading and compiling took
  // ~0.3 s on a cold process, which a timer-only instance should not pay.
  const require = createRequire(import.meta.url);
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof Ajv2020Module;
  const addFormats = (require('ajv-formats') as { default: FormatsPlugin }).default;
  // allErrors: the worker tells an unknown type apart from a broken shape, so it needs every finding.
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv, ['date-time']);
  validator = ajv.compile(eventSchema);
  return validator;
}

function shortened(name: string): string {
  return name.length > maxQuotedNameLength ? `${name.slice(0, maxQuotedNameLength)}…` : name;
}

function violationOf(error: ErrorObject): SchemaViolation {
  const { keyword, params } = error;
  if (keyword === 'required') {
    const field = String((params as { missingProperty: string }).missingProperty);
    return { field, keyword, detail: `${field} is missing` };
  }
  if (keyword === 'additionalProperties') {
    const field = String((params as { additionalProperty: string }).additionalProperty);
    return { field, keyword, detail: `unexpected field ${JSON.stringify(shortened(field))}` };
  }
  // Ajv's messages name the rule (type, pattern, format, allowed values), never the value itself.
  const pointer = error.instancePath.split('/')[1];
  const field = pointer === undefined ? '(message)' : pointer.replaceAll('~1', '/').replaceAll('~0', '~');
  return { field, keyword, detail: `${field === '(message)' ? 'the message' : field} ${error.message ?? 'is not valid'}` };
}

const fieldOrder = ['(message)', 'id', 'type', 'occurredAt', 'payload', 'signature'];
const rank = (field: string): number => (fieldOrder.includes(field) ? fieldOrder.indexOf(field) : fieldOrder.length);

/** Every way `value` breaks event.schema.json, in field order (id first); empty when it conforms. */
export function schemaViolations(value: unknown): SchemaViolation[] {
  const validate = compiledValidator();
  if (validate(value)) return [];
  return (validate.errors ?? []).map(violationOf).sort((a, b) => rank(a.field) - rank(b.field));
}

/** A string `type` that is simply not on the list: rejected as unknown_type, not as a broken shape. */
export function isUnknownType(violation: SchemaViolation): boolean {
  return violation.field === 'type' && violation.keyword === 'enum';
}

/** Most field names listed after the first finding: enough to fix a message, short enough for a log line. */
const maxFieldsListed = 5;

/** One line for a log and a poison report: the first finding in full, then the other fields at fault by name. */
export function describeViolations(violations: readonly SchemaViolation[]): string {
  const [first, ...rest] = violations;
  if (!first) return 'the message matches the schema';
  const others = [...new Set(rest.map((v) => v.field))].filter((field) => field !== first.field);
  if (others.length === 0) return first.detail;
  const listed = others.slice(0, maxFieldsListed).map(shortened).join(', ');
  return `${first.detail} (also: ${listed}${others.length > maxFieldsListed ? ', …' : ''})`;
}
