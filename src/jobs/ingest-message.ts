/**
 * The queue message contract: a JSON event `{ id, type, occurredAt, payload, signature }` whose
 * shape is event.schema.json, signed as event-signature.ts defines. Pure functions: parsing and
 * signature checks know nothing of queues or vaults.
 */
import { describeViolations, isUnknownType, schemaViolations, type SchemaViolation } from './event-schema.js';
import type { UnsignedEvent } from './event-signature.js';
import { hasUnstorableText, isRealInstant } from './storable-event.js';

export { knownEventTypes } from './event-schema.js';
export { hasValidSignature, signEvent, signingInput, type UnsignedEvent } from './event-signature.js';

export type RejectionReason = 'oversized' | 'not_json' | 'wrong_shape' | 'unknown_type' | 'bad_signature' | 'unstorable';

export interface SignedEvent extends UnsignedEvent {
  signature: string;
}

export type ParsedMessage =
  | { ok: true; event: SignedEvent }
  | { ok: false; reason: RejectionReason; detail: string; eventId?: string | undefined };

/** The id to report a rejection under: only one the schema accepts, so a log line never carries a junk id. */
function reportableId(value: unknown, violations: readonly SchemaViolation[]): string | undefined {
  if (typeof value !== 'object' || value === null || violations.some((v) => v.field === 'id')) return undefined;
  const { id } = value as { id?: unknown };
  return typeof id === 'string' ? id : undefined;
}

/**
 * `message` is what the host hands the handler: a parsed object when the text was JSON, else the
 * text. `messageText` is the raw text after the queue's base64 decoding: its UTF-8 bytes are
 * what `maxBytes` limits.
 */
export function parseEventMessage(message: unknown, messageText: string, maxBytes: number): ParsedMessage {
  const size = Buffer.byteLength(messageText, 'utf8');
  if (size > maxBytes) return { ok: false, reason: 'oversized', detail: `${size} bytes, limit ${maxBytes}` };

  let value = message;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return { ok: false, reason: 'not_json', detail: 'the message is not JSON' };
    }
  }

  const violations = schemaViolations(value);
  const eventId = reportableId(value, violations);
  const shapeError = (detail: string): ParsedMessage => ({ ok: false, reason: 'wrong_shape', detail, eventId });
  const broken = violations.filter((v) => !isUnknownType(v));
  if (broken.length > 0) return shapeError(describeViolations(broken));
  // The schema holds, except perhaps for the type's list of values: every field has its type.
  const event = value as SignedEvent;
  if (!isRealInstant(event.occurredAt)) return shapeError('occurredAt must be a real calendar date and time in years 0001-9999');
  if (hasUnstorableText(event.payload)) return shapeError('payload holds a NUL character or malformed Unicode');
  if (violations.length > 0) return { ok: false, reason: 'unknown_type', detail: `unknown event type "${event.type.slice(0, 64)}"`, eventId };
  const { id, type, occurredAt, payload, signature } = event;
  return { ok: true, event: { id, type, occurredAt, payload, signature } };
}
