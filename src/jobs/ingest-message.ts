/**
 * The queue message contract: a JSON event `{ id, type, occurredAt, payload, signature }` signed
 * with HMAC-SHA256. Pure functions: parsing and signature checks know nothing of queues or vaults.
 *
 * Signed text: `${id}\n${type}\n${occurredAt}\n${JSON.stringify(payload)}` (payload serialised
 * without whitespace, keys in the order they appear); signature: base64 of the HMAC, key = the
 * Key Vault secret's value as UTF-8.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const knownEventTypes: ReadonlySet<string> = new Set(['device.reading', 'device.status', 'device.alert']);

export type RejectionReason = 'oversized' | 'not_json' | 'wrong_shape' | 'unknown_type' | 'bad_signature' | 'unstorable';

export interface SignedEvent {
  id: string;
  type: string;
  occurredAt: string;
  payload: Record<string, unknown>;
  signature: string;
}

export type ParsedMessage =
  | { ok: true; event: SignedEvent }
  | { ok: false; reason: RejectionReason; detail: string; eventId?: string | undefined };

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Both databases refuse NUL and unpaired surrogates in text and JSON: such a payload can never be stored. */
function hasUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000') || loneSurrogate.test(value);
  if (Array.isArray(value)) return value.some(hasUnstorableText);
  if (isRecord(value)) return Object.entries(value).some(([key, item]) => hasUnstorableText(key) || hasUnstorableText(item));
  return false;
}

/** Rejects dates JavaScript would silently roll over (2024-02-30 -> March 1) and years SQL cannot hold. */
function isRealInstant(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (year < 1 || year > 9999 || month < 1 || month > 12) return false;
  const daysInMonth = new Date(Date.UTC(2000 + (year % 400), month, 0)).getUTCDate();
  return day >= 1 && day <= daysInMonth && !Number.isNaN(Date.parse(text));
}
const base64 = /^[A-Za-z0-9+/]{43}=$/;

export function signingInput(event: Omit<SignedEvent, 'signature'>): string {
  return `${event.id}\n${event.type}\n${event.occurredAt}\n${JSON.stringify(event.payload)}`;
}

export function signEvent(key: string, event: Omit<SignedEvent, 'signature'>): string {
  return createHmac('sha256', key).update(signingInput(event)).digest('base64');
}

export function hasValidSignature(key: string, event: SignedEvent): boolean {
  const expected = Buffer.from(signEvent(key, event), 'base64');
  const actual = Buffer.from(event.signature, 'base64');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `message` is what the host hands the handler: a parsed object when the text was JSON, else the
 * text. `messageText` is the raw text, for the size check.
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
  if (!isRecord(value)) return { ok: false, reason: 'wrong_shape', detail: 'the message is not a JSON object' };

  const { id, type, occurredAt, payload, signature } = value;
  const eventId = typeof id === 'string' && idPattern.test(id) ? id : undefined;
  const shapeError = (detail: string): ParsedMessage => ({ ok: false, reason: 'wrong_shape', detail, eventId });
  if (eventId === undefined) return shapeError('id must be 1-128 letters, digits, or . _ : -');
  if (typeof type !== 'string') return shapeError('type must be a string');
  if (typeof occurredAt !== 'string' || !isoTimestamp.test(occurredAt) || !isRealInstant(occurredAt)) {
    return shapeError('occurredAt must be an ISO 8601 timestamp with a time zone, a real calendar date in years 0001-9999');
  }
  if (!isRecord(payload)) return shapeError('payload must be a JSON object');
  if (hasUnstorableText(payload)) return shapeError('payload holds a NUL character or malformed Unicode');
  if (typeof signature !== 'string' || !base64.test(signature)) return shapeError('signature must be a base64 HMAC-SHA256');
  const extra = Object.keys(value).filter((key) => !['id', 'type', 'occurredAt', 'payload', 'signature'].includes(key));
  if (extra.length > 0) return shapeError(`unexpected field(s): ${extra.slice(0, 5).join(', ')}`);
  if (!knownEventTypes.has(type)) return { ok: false, reason: 'unknown_type', detail: `unknown event type "${type.slice(0, 64)}"`, eventId };
  return { ok: true, event: { id: eventId, type, occurredAt, payload, signature } };
}
