/**
 * The signature any language can compute: HMAC-SHA256 over `id\ntype\noccurredAt\nJCS(payload)`
 * (RFC 8785). The README's test vectors are read from README.md and checked against the code,
 * and a producer written in Python (standard library only) signs events the worker stores.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { Store } from '../../src/clients/store.js';
import type { SecretVault } from '../../src/clients/vault.js';
import { CachedSecret } from '../../src/jobs/cached-secret.js';
import { ingestMessage, type IngestOutcome } from '../../src/jobs/ingest-events.js';
import { hasValidSignature, parseEventMessage, signEvent, signingInput, type SignedEvent } from '../../src/jobs/ingest-message.js';
import { codeBlocks, readmeSection, repoRoot } from '../support/readme.js';
import { RecordingTelemetry } from '../support/recording-telemetry.js';
import { VirtualClock } from '../support/virtual-clock.js';

interface Vector {
  title: string;
  key: string;
  message: string;
  signingInput: string;
  signature: string;
}

function readmeVectors(): Vector[] {
  const section = readmeSection('Signing test vectors');
  return section
    .split(/^(?=\*\*Vector )/m)
    .filter((chunk) => chunk.startsWith('**Vector '))
    .map((chunk) => {
      const [message] = codeBlocks(chunk, 'json');
      const [input] = codeBlocks(chunk, 'text');
      const key = /Key \(UTF-8\): `([^`]+)`/.exec(chunk)?.[1];
      const signature = /^Signature: `([^`]+)`/m.exec(chunk)?.[1];
      assert.ok(message !== undefined && input !== undefined && key !== undefined && signature !== undefined, `a complete vector: ${chunk.slice(0, 60)}`);
      return { title: chunk.split('\n')[0] ?? '', key, message, signingInput: input, signature };
    });
}

function parsedEvent(text: string): SignedEvent {
  const parsed = parseEventMessage(text, text, 65_536);
  assert.ok(parsed.ok, parsed.ok ? '' : `${parsed.reason}: ${parsed.detail}`);
  return parsed.event;
}

/** The worker's job over in-memory ports: the same parse, signature check and store call as in Azure. */
async function ingest(text: string, key: string): Promise<{ outcome: IngestOutcome; stored: unknown[] }> {
  const stored: unknown[] = [];
  const store = { insertEvent: (event: unknown) => Promise.resolve(stored.push(event) > 0), upsertSecretInventory: () => Promise.resolve(), close: () => Promise.resolve() } as Store;
  const vault = { getSecretValue: () => Promise.resolve(key) } as unknown as SecretVault;
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const outcome = await ingestMessage(
    { body: JSON.parse(text) as unknown, text, id: 'm-1', dequeueCount: 1 },
    { store, signingKey: new CachedSecret(vault, 'signing', new VirtualClock(0), 60_000), telemetry: new RecordingTelemetry(), log, maxMessageBytes: 65_536 },
  );
  return { outcome, stored };
}

function python(args: string[], options: { input?: string; env?: Record<string, string> } = {}): string {
  const script = `${repoRoot}test/functions/fixtures/producer.py`;
  const run = spawnSync('python3', [script, ...args], { input: options.input, env: { ...process.env, ...options.env }, encoding: 'utf8' });
  assert.equal(run.error, undefined, 'python3 runs');
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

describe('the signing input is RFC 8785 canonical JSON of the payload', () => {
  const vectors = readmeVectors();

  it('the README has at least three vectors, covering keys out of order, a 1.0 and non-ASCII text', () => {
    assert.ok(vectors.length >= 3);
    const messages = vectors.map((v) => v.message).join('\n');
    assert.match(messages, /:1\.0[,}\]]/, 'a number written 1.0');
    assert.ok(vectors.some((v) => /[^\n -~]/.test(v.signingInput)), 'non-ASCII text in a signing input');
    assert.ok(
      vectors.some((v) => {
        const payload = (JSON.parse(v.message) as { payload: Record<string, unknown> }).payload;
        const keys = Object.keys(payload);
        return keys.join() !== [...keys].sort().join();
      }),
      'a payload whose keys are not in sorted order',
    );
  });

  for (const vector of readmeVectors()) {
    it(`README ${vector.title.replace(/\*\*/g, '').split(':')[0] ?? ''}: the documented signing input and signature are what the worker computes, and it accepts the message`, async () => {
      const event = parsedEvent(vector.message);
      assert.equal(signingInput(event), vector.signingInput);
      assert.equal(signEvent(vector.key, event), vector.signature);
      assert.equal(event.signature, vector.signature, 'the message carries the documented signature');
      const { outcome } = await ingest(vector.message, vector.key);
      assert.deepEqual(outcome, { status: 'stored', eventId: event.id });
    });
  }

  it('key order, number spelling and string escapes in the message text do not change the signature', () => {
    const a = parsedEvent(`{"id":"e","type":"device.status","occurredAt":"2030-01-01T00:00:00Z","payload":{"b":[1.0,{"y":2,"x":1}],"a":"\\u00e9"},"signature":"${'A'.repeat(43)}="}`);
    const b = parsedEvent(`{"signature":"${'A'.repeat(43)}=","payload":{"a":"é","b":[1,{"x":1.00,"y":2e0}]},"occurredAt":"2030-01-01T00:00:00Z","type":"device.status","id":"e"}`);
    assert.equal(signingInput(a), signingInput(b));
    assert.equal(signingInput(a).split('\n')[3], '{"a":"é","b":[1,{"x":1,"y":2}]}');
  });

  it('a change to the id, type, occurredAt or any payload value breaks the signature', () => {
    const key = 'k';
    const base = { id: 'e-1', type: 'device.reading', occurredAt: '2030-01-01T00:00:00Z', payload: { n: 1, nested: { s: 'x' } } };
    const signed = { ...base, signature: signEvent(key, base) };
    assert.ok(hasValidSignature(key, signed));
    for (const altered of [
      { ...signed, id: 'e-2' },
      { ...signed, type: 'device.alert' },
      { ...signed, occurredAt: '2030-01-01T00:00:00.000Z' },
      { ...signed, payload: { n: 2, nested: { s: 'x' } } },
      { ...signed, payload: { n: 1, nested: { s: 'y' } } },
      { ...signed, payload: { n: 1, nested: { s: 'x' }, more: null } },
    ]) {
      assert.equal(hasValidSignature(key, altered), false, JSON.stringify(altered));
    }
    assert.equal(hasValidSignature('other key', signed), false);
  });
});

describe('a producer written in Python (standard library, its own JCS)', () => {
  const key = 'python-producer-key-é-0123456789';
  const messages = python(['sample'], { env: { SIGNING_KEY: key } }).trim().split('\n');

  it('writes JSON the way Python does: keys out of order, 1.0, \\u escapes', () => {
    assert.ok(messages.length >= 4);
    const all = messages.join('\n');
    assert.match(all, /"celsius": 21\.0/);
    assert.match(all, /\\u00e9/);
    assert.match(all, /"type": "device.status", "occurredAt"/, 'fields in the producer\'s own order');
  });

  it('every event it signs passes the worker: schema, signature, stored with its payload', async () => {
    for (const text of messages) {
      const { outcome, stored } = await ingest(text, key);
      assert.equal(outcome.status, 'stored', `${text.slice(0, 80)}: ${JSON.stringify(outcome)}`);
      const sent = JSON.parse(text) as { payload: unknown };
      assert.deepEqual((stored[0] as { payload: unknown }).payload, sent.payload);
    }
  });

  it('its signing input is byte for byte the worker\'s, astral keys, -0 and 1e21 included', () => {
    const requests = messages.map((message) => JSON.stringify({ key, message })).join('\n');
    const answers = python(['verify'], { input: requests }).trim().split('\n').map((line) => JSON.parse(line) as { signingInput: string; signature: string });
    messages.forEach((message, i) => {
      const event = parsedEvent(message);
      assert.equal(answers[i]?.signingInput, signingInput(event));
      assert.equal(answers[i]?.signature, event.signature);
    });
    assert.ok(answers.some((a) => a.signingInput.includes('"\u{1F600}":"grinning","\uE000":"private use"')), 'UTF-16 order: U+1F600 before U+E000');
    assert.ok(answers.some((a) => a.signingInput.includes('"big":1e+21') && a.signingInput.includes('"negZero":0') && a.signingInput.includes('"tiny":1e-7')));
  });

  it('computes the README vectors\' signing inputs and signatures too', () => {
    const vectors = readmeVectors();
    const answers = python(['verify'], { input: vectors.map((v) => JSON.stringify({ key: v.key, message: v.message })).join('\n') }).trim().split('\n');
    assert.deepEqual(
      answers.map((line) => JSON.parse(line) as unknown),
      vectors.map((v) => ({ signingInput: v.signingInput, signature: v.signature })),
    );
  });

  it('a message altered in transit is rejected as bad_signature; one a relay re-serialised still verifies', async () => {
    const [first = ''] = messages;
    const tampered = first.replace('"celsius": 21.0', '"celsius": 25.0');
    assert.notEqual(tampered, first);
    const { outcome, stored } = await ingest(tampered, key);
    assert.deepEqual(outcome.status === 'rejected' && [outcome.reason, outcome.eventId], ['bad_signature', 'py-0001']);
    assert.deepEqual(stored, []);
    // A relay that parses and re-writes the JSON (new key order, 21.0 -> 21) changes no value.
    const relayed = JSON.stringify(JSON.parse(first) as unknown);
    assert.notEqual(relayed, first);
    assert.equal((await ingest(relayed, key)).outcome.status, 'stored');
  });
});
