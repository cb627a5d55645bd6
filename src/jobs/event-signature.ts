/**
 * The event signature, defined so that a producer in any language can compute it:
 *
 *   signing input = `${id}\n${type}\n${occurredAt}\n${JCS(payload)}`  (UTF-8)
 *   signature     = base64(HMAC-SHA256(key = the Key Vault secret's value as UTF-8, signing input))
 *
 * JCS is the JSON Canonicalization Scheme (RFC 8785): object keys sorted by UTF-16 code units,
 * numbers in ECMAScript's shortest form (`1.0` is `1`), strings with JSON's minimal escaping, no
 * whitespace. It depends only on the payload's JSON value, never on how a producer happened to
 * order or spell it, so a Python or C# producer and this worker sign the same text.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';

export interface UnsignedEvent {
  id: string;
  type: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}

export function signingInput(event: UnsignedEvent): string {
  return `${event.id}\n${event.type}\n${event.occurredAt}\n${canonicalize(event.payload) ?? ''}`;
}

export function signEvent(key: string, event: UnsignedEvent): string {
  return createHmac('sha256', key).update(signingInput(event), 'utf8').digest('base64');
}

export function hasValidSignature(key: string, event: UnsignedEvent & { signature: string }): boolean {
  const expected = Buffer.from(signEvent(key, event), 'base64');
  const actual = Buffer.from(event.signature, 'base64');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
