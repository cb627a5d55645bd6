/**
 * Generated queue messages: valid signed events (storable payloads: well-formed Unicode with
 * astral characters and RTL marks, no NUL), and the ways a producer or an attacker breaks one.
 */
import fc from 'fast-check';
import { knownEventTypes, signEvent, type UnsignedEvent } from '../../../src/jobs/ingest-message.js';
import { hostileString } from './fast-check-config.js';

const storableText = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 16 }), fc.constantFrom('\u202E\u200F\u200E', '😀𝔘🏳️‍🌈', 'mixed עברית text', '\uFEFF', '"\\/\n'));

export const eventId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,40}$/);

const instant = fc
  .date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

export const storablePayload: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  storableText,
  fc.oneof(storableText, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(storableText, { maxLength: 3 }), fc.dictionary(storableText, storableText, { maxKeys: 3 })),
  { maxKeys: 6 },
);

export const unsignedEvent: fc.Arbitrary<UnsignedEvent> = fc.record({
  id: eventId,
  type: fc.constantFrom(...knownEventTypes),
  occurredAt: instant,
  payload: storablePayload,
});

export type SignedMessage = UnsignedEvent & { signature: string };

export function signed(key: string, event: UnsignedEvent): SignedMessage {
  return { ...event, signature: signEvent(key, event) };
}

/** One change to a signed event that the signature (or the schema) must catch. */
export const tampering = fc.oneof(
  fc.record({ field: fc.constant('id' as const), value: eventId }),
  fc.record({ field: fc.constant('type' as const), value: fc.oneof(fc.constantFrom(...knownEventTypes), hostileString) }),
  fc.record({ field: fc.constant('occurredAt' as const), value: fc.oneof(instant, hostileString) }),
  fc.record({ field: fc.constant('payload' as const), value: storablePayload }),
  fc.record({ field: fc.constant('signature' as const), value: fc.oneof(fc.base64String({ minLength: 44, maxLength: 44 }), hostileString) }),
  fc.record({ field: fc.constant('unsigned' as const), value: fc.constant('') }),
);

export type Tampering = typeof tampering extends fc.Arbitrary<infer T> ? T : never;

/** The tampered message, or undefined when the change happens to leave it as it was. */
export function tamper(message: SignedMessage, change: Tampering): Record<string, unknown> | undefined {
  if (change.field === 'unsigned') {
    const { signature: _signature, ...rest } = message;
    return rest;
  }
  if (message[change.field] === change.value || JSON.stringify(message[change.field]) === JSON.stringify(change.value)) return undefined;
  return { ...message, [change.field]: change.value };
}

/** Anything a queue can hold: shaped like an event with any field values, any JSON, or any bytes. */
export const eventShapedJson = fc.record(
  { id: fc.oneof(eventId, hostileString, fc.jsonValue()), type: fc.oneof(hostileString, fc.constantFrom(...knownEventTypes)), occurredAt: fc.oneof(instant, hostileString), payload: fc.oneof(storablePayload, fc.jsonValue()), signature: hostileString, extra: fc.jsonValue() },
  { requiredKeys: [] },
);
