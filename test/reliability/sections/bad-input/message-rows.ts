/**
 * Queue messages the worker must refuse: each is delivered once through Azurite, the host and the
 * real handler, and must end in the poison queue with its body byte-for-byte as sent, reported
 * with its message id and reason, never retried, nothing stored. Valid messages with Unicode edge
 * cases, and a replayed one, are stored exactly once.
 */
import { isDeepStrictEqual } from 'node:util';
import { check, type MatrixRow, type RowOutcome } from '../../matrix.js';
import { signEvent, type UnsignedEvent } from '../../../../src/jobs/ingest-message.js';
import { freshRow, maxMessageBytes, poisonWires, rejections, sendWire, signedEvent, storedRows, type BadInputContext } from './context.js';

type Expected = 'not_base64' | 'not_json' | 'wrong_shape' | 'unknown_type' | 'bad_signature' | 'oversized';

const utf8Base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** A message whose text is exactly `bytes` UTF-8 bytes, signed. */
function signedOfBytes(id: string, bytes: number): string {
  const text = (pad: string): string => JSON.stringify(signedEvent(id, { payload: { pad } }));
  return text('x'.repeat(bytes - Buffer.byteLength(text(''))));
}

async function rejected(context: BadInputContext, injected: string, wire: string, expected: Expected): Promise<RowOutcome> {
  await freshRow(context);
  const messageId = await sendWire(context, wire);
  await context.host.drain();
  const poison = await poisonWires(context);
  const deliveries = context.host.deliveries;
  const reports = rejections(context).filter((r) => r.properties.messageId === messageId);
  const reason = expected === 'not_base64' ? deliveries[0]?.reason : reports[0]?.properties.reason;
  const retried = deliveries.some((d) => d.outcome === 'failed');
  return {
    injected,
    outcome: `poisoned: ${String(reason ?? 'not reported')}`,
    requests: `${deliveries.length} delivery, ${poison.length} in poison`,
    checks: [
      check('ends in the poison queue with its body byte-identical', poison.length === 1 && poison[0] === wire, `${poison.length} poisoned, ${Buffer.byteLength(wire)} B wire`),
      check('reported with the message id and the reason', expected === 'not_base64' ? deliveries[0]?.reason === 'not_base64' && deliveries[0].messageId === messageId : reports.length === 1 && reason === expected, String(reason)),
      check('never retried as if transient', deliveries.length === 1 && !retried, deliveries.map((d) => d.outcome).join(', ')),
    ],
  };
}

function rejectedRow(name: string, injected: string, wire: () => string, expected: Expected): MatrixRow<BadInputContext> {
  return { name, run: (context) => rejected(context, injected, wire(), expected) };
}

async function storedOnce(context: BadInputContext, injected: string, messages: readonly Record<string, unknown>[], copies: number): Promise<RowOutcome> {
  await freshRow(context);
  for (const message of messages) for (let i = 0; i < copies; i++) await sendWire(context, utf8Base64(JSON.stringify(message)));
  await context.host.drain();
  const ids = messages.map((m) => String(m.id));
  const rows = await storedRows(context, ids);
  const stored = context.telemetry.events('IngestEventStored').length;
  const duplicates = context.telemetry.events('IngestEventDuplicate').length;
  const intact = messages.every((m) => rows.some((r) => r.id === m.id && isDeepStrictEqual(r.payload, m.payload)));
  return {
    injected,
    outcome: `${stored} stored, ${duplicates} duplicate`,
    requests: `${context.host.deliveries.length} deliveries`,
    checks: [
      check('stored exactly once each, payload as sent', rows.length === messages.length && stored === messages.length && intact, `${rows.length} rows for ${messages.length} events`),
      check('redeliveries are reported as duplicates, not errors', duplicates === messages.length * (copies - 1) && context.host.deliveries.every((d) => d.outcome === 'succeeded'), `${duplicates} duplicates`),
      check('nothing poisoned', (await poisonWires(context)).length === 0),
    ],
  };
}

const otherKeySigned = (): Record<string, unknown> => {
  const { signature: _mine, ...event } = signedEvent('evt-other-key');
  return { ...event, signature: signEvent('some-other-key-0123456789', event as unknown as UnsignedEvent) };
};

/**
 * Bytes that are not UTF-8 cannot reach the poison queue unchanged: the host decodes the body to
 * text before the function runs (as in Azure), so each bad sequence arrives as U+FFFD and that
 * text is what the function writes to the poison queue.
 */
async function invalidUtf8(context: BadInputContext): Promise<RowOutcome> {
  await freshRow(context);
  const bytes = Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0xfe, 0x7d]);
  const messageId = await sendWire(context, bytes.toString('base64'));
  await context.host.drain();
  const poison = await poisonWires(context);
  const report = rejections(context).find((r) => r.properties.messageId === messageId);
  const asDecoded = utf8Base64(bytes.toString('utf8'));
  return {
    injected: 'body bytes 7b c3 28 ff fe 7d (not UTF-8)',
    outcome: `poisoned: ${String(report?.properties.reason ?? 'not reported')}`,
    requests: `${context.host.deliveries.length} delivery, ${poison.length} in poison`,
    checks: [
      check('ends in the poison queue as the text the host decoded (bad sequences as U+FFFD)', poison.length === 1 && poison[0] === asDecoded, 'the original bytes never reach the function'),
      check('reported with the message id as not_json', report?.properties.reason === 'not_json'),
      check('never retried', context.host.deliveries.length === 1),
    ],
  };
}

export const messageRows: readonly MatrixRow<BadInputContext>[] = [
  rejectedRow('not base64', 'body "not base64!" on a base64 queue', () => 'not base64!', 'not_base64'),
  rejectedRow('not JSON', 'text "this is { not json"', () => utf8Base64('this is { not json'), 'not_json'),
  rejectedRow('wrong shape', 'JSON without occurredAt, payload, signature', () => utf8Base64(JSON.stringify({ id: 'evt-shape', type: 'device.reading' })), 'wrong_shape'),
  rejectedRow('JSON that is not an object', 'a JSON array of events', () => utf8Base64(JSON.stringify([signedEvent('evt-array')])), 'wrong_shape'),
  rejectedRow('unknown type', 'signed event of type device.unknown', () => utf8Base64(JSON.stringify(signedEvent('evt-type', { type: 'device.unknown' }))), 'unknown_type'),
  rejectedRow('badly signed', 'signature from another key', () => utf8Base64(JSON.stringify(otherKeySigned())), 'bad_signature'),
  rejectedRow('tampered after signing', 'payload changed after signing', () => utf8Base64(JSON.stringify({ ...signedEvent('evt-tampered'), payload: { deviceId: 'dev-x', celsius: 99 } })), 'bad_signature'),
  rejectedRow('unsigned', 'no signature field', () => utf8Base64(JSON.stringify({ ...signedEvent('evt-unsigned'), signature: undefined })), 'wrong_shape'),
  rejectedRow('oversized', `${maxMessageBytes + 1} B text, limit ${maxMessageBytes} B`, () => utf8Base64(signedOfBytes('evt-big', maxMessageBytes + 1)), 'oversized'),
  rejectedRow('NUL in payload', 'signed payload holding \\u0000', () => utf8Base64(JSON.stringify(signedEvent('evt-nul', { payload: { note: 'a\u0000b' } }))), 'wrong_shape'),
  rejectedRow('raw NUL in the text', 'a literal U+0000 inside a JSON string', () => utf8Base64(JSON.stringify(signedEvent('evt-raw-nul')).replace('dev-', 'dev\u0000-')), 'not_json'),
  // JCS cannot canonicalise a lone surrogate, so no producer can sign one: it is put in after signing.
  rejectedRow('lone surrogate in payload', 'payload holding "\\ud800"', () => utf8Base64(JSON.stringify({ ...signedEvent('evt-surrogate'), payload: { note: 'x\ud800y' } })), 'wrong_shape'),
  rejectedRow('astral character in id', 'id "evt-😀"', () => utf8Base64(JSON.stringify(signedEvent('evt-😀'))), 'wrong_shape'),
  rejectedRow('RTL mark in type', 'type "\\u202edevice.reading"', () => utf8Base64(JSON.stringify(signedEvent('evt-rtl-type', { type: '\u202edevice.reading' }))), 'unknown_type'),
  { name: 'invalid UTF-8 bytes', run: invalidUtf8 },
  {
    name: 'astral characters and RTL marks in payload',
    run: (context) =>
      storedOnce(context, 'signed payloads with 😀, 𝔘, U+202E, U+200F, Hebrew, BOM, keys too', [
        signedEvent('evt-unicode-1', { payload: { text: '😀 𝔘 \u202Eevil\u202C \u200F', 'ключ-😀': 'עברית' } }),
        signedEvent('evt-unicode-2', { payload: { bom: '\uFEFFstart', zwj: '🏳️‍🌈', escapes: '"\\/\n\t' } }),
      ], 1),
  },
  { name: 'replayed', run: (context) => storedOnce(context, 'one signed event enqueued 3 times', [signedEvent('evt-replayed')], 3) },
];
