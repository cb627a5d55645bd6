/**
 * The queue worker's rules over in-memory ports on virtual time: the held signing key (TTL, stale
 * serving, single flight, rotation re-read) and one message's outcome (stored, duplicate, rejected
 * to the poison queue, or thrown for the host to retry), with what it logs and reports.
 * (ingest-events.test.ts runs the worker end to end on Azurite, the Key Vault emulator and PostgreSQL.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { DependencyError } from '../../src/clients/errors.js';
import type { IngestedEvent, Store } from '../../src/clients/store.js';
import type { SecretVault } from '../../src/clients/vault.js';
import { CachedSecret, defaultMaxStaleMs } from '../../src/jobs/cached-secret.js';
import { ingestEvents, ingestMessage, signingKeyRecheckAfterMs, type IngestOutcome } from '../../src/jobs/ingest-events.js';
import { hasValidSignature, signEvent } from '../../src/jobs/ingest-message.js';
import { RecordingTelemetry } from '../support/recording-telemetry.js';
import { VirtualClock } from '../support/virtual-clock.js';

const minute = 60_000;
const vaultDown = (): DependencyError => new DependencyError('vault_unavailable', 'key-vault', 'down', { retryable: true, status: 503 });
const vaultRefuses = (): DependencyError => new DependencyError('vault_rejected', 'key-vault', 'forbidden', { retryable: false, status: 403 });

/** A vault holding one secret whose value a test can rotate, or make every read fail with `failure`. */
function keyVault(value: string) {
  const state = { value, reads: 0, failure: undefined as (() => Error) | undefined, inFlight: 0, peak: 0 };
  const vault: SecretVault = {
    listSecrets: () => {
      throw new Error('the worker never lists');
    },
    currentVersion: () => Promise.reject(new Error('the worker never looks up versions')),
    async getSecretValue() {
      state.reads++;
      state.inFlight++;
      state.peak = Math.max(state.peak, state.inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      state.inFlight--;
      if (state.failure) throw state.failure();
      return state.value;
    },
  };
  return { vault, state };
}

describe('CachedSecret: the held signing key', () => {
  it('a value is served from memory until its TTL has passed, then read again', async () => {
    const clock = new VirtualClock(0);
    const { vault, state } = keyVault('k1');
    const cached = new CachedSecret(vault, 'signing', clock, minute);
    assert.deepEqual(await cached.get(), { value: 'k1', fetchedAt: 0 });
    clock.advance(minute - 1);
    state.value = 'k2';
    assert.equal((await cached.get()).value, 'k1');
    assert.equal(state.reads, 1);
    clock.advance(1);
    assert.deepEqual(await cached.get(), { value: 'k2', fetchedAt: minute });
    assert.equal(state.reads, 2);
  });

  it('concurrent callers of a cold entry share one read, and a later expiry reads again', async () => {
    const clock = new VirtualClock(0);
    const { vault, state } = keyVault('k1');
    const cached = new CachedSecret(vault, 'signing', clock, minute);
    const values = await Promise.all(Array.from({ length: 5 }, () => cached.get()));
    assert.deepEqual([state.reads, state.peak, new Set(values.map((v) => v.value)).size], [1, 1, 1]);
    clock.advance(minute);
    await Promise.all([cached.get(), cached.get()]);
    assert.equal(state.reads, 2, 'the finished read is not reused after the TTL');
  });

  it('after a failed read the next caller reads again (the shared read is cleared on failure too)', async () => {
    const clock = new VirtualClock(0);
    const { vault, state } = keyVault('k1');
    const cached = new CachedSecret(vault, 'signing', clock, minute);
    state.failure = vaultDown;
    await assert.rejects(cached.get(), DependencyError);
    state.failure = undefined;
    assert.equal((await cached.get()).value, 'k1');
    assert.equal(state.reads, 2);
  });

  it('when a re-read fails transiently, the held value is served until it is maxStaleMs old, then the failure', async () => {
    const clock = new VirtualClock(0);
    const { vault, state } = keyVault('k1');
    const cached = new CachedSecret(vault, 'signing', clock, minute, 10 * minute);
    await cached.get();
    state.failure = vaultDown;
    clock.advance(10 * minute - 1);
    assert.equal((await cached.get()).value, 'k1');
    clock.advance(1);
    await assert.rejects(cached.get(), (error) => error instanceof DependencyError && error.code === 'vault_unavailable');
  });

  it('a failure retrying cannot fix (access revoked) is not hidden by the held value', async () => {
    const clock = new VirtualClock(0);
    const { vault, state } = keyVault('k1');
    const cached = new CachedSecret(vault, 'signing', clock, minute);
    await cached.get();
    clock.advance(minute);
    state.failure = vaultRefuses;
    await assert.rejects(cached.get(), (error) => error instanceof DependencyError && error.code === 'vault_rejected');
  });

  it('a cold entry has nothing to fall back on: the vault\'s own failure reaches the caller', async () => {
    const { vault, state } = keyVault('k1');
    const failure = vaultDown();
    state.failure = () => failure;
    const cached = new CachedSecret(vault, 'signing', new VirtualClock(0), minute);
    await assert.rejects(cached.get(), (error) => error === failure);
  });

  it('a held value may outlive its TTL by an hour by default', async () => {
    assert.equal(defaultMaxStaleMs, 60 * minute);
    const clock = new VirtualClock(0);
    const { vault, state } = keyVault('k1');
    const cached = new CachedSecret(vault, 'signing', clock, minute);
    await cached.get();
    state.failure = vaultDown;
    clock.advance(60 * minute - 1);
    assert.equal((await cached.get()).value, 'k1');
    clock.advance(1);
    await assert.rejects(cached.get(), DependencyError);
  });

  it('refreshIfOlderThan reads again only when the held value is at least that old, and never falls back', async () => {
    const clock = new VirtualClock(minute);
    const { vault, state } = keyVault('k1');
    const cached = new CachedSecret(vault, 'signing', clock, 10 * minute);
    assert.deepEqual(await cached.refreshIfOlderThan(30_000), { value: 'k1', fetchedAt: minute }, 'nothing held: read');
    clock.advance(29_999);
    state.value = 'k2';
    assert.equal(await cached.refreshIfOlderThan(30_000), undefined, 'too recent to doubt');
    assert.equal(state.reads, 1);
    clock.advance(1);
    assert.deepEqual(await cached.refreshIfOlderThan(30_000), { value: 'k2', fetchedAt: minute + 30_000 });
    assert.equal((await cached.get()).value, 'k2', 'the re-read value is the one held');
    clock.advance(30_000);
    state.failure = vaultDown;
    await assert.rejects(cached.refreshIfOlderThan(30_000), DependencyError);
  });

  it('logging or serialising it shows which secret and how old, never the value', async () => {
    const clock = new VirtualClock(5_000);
    const { vault } = keyVault('the-signing-key-value');
    const cached = new CachedSecret(vault, 'signing', clock, minute);
    assert.deepEqual(cached.toJSON(), { secretName: 'signing', held: false, fetchedAt: undefined, ttlMs: minute });
    await cached.get();
    assert.deepEqual(JSON.parse(JSON.stringify(cached)), { secretName: 'signing', held: true, fetchedAt: 5_000, ttlMs: minute });
    const shown = inspect(cached);
    assert.equal(shown, "CachedSecret { secretName: 'signing', held: true, fetchedAt: 5000, ttlMs: 60000 }");
    assert.ok(!JSON.stringify(cached).includes('the-signing-key-value'));
  });
});

const key = 'k'.repeat(32);
const base = { id: 'e-1', type: 'device.status', occurredAt: '2030-01-01T00:00:00Z', payload: { ok: true } };
const invocation = { invocationId: 'inv-7' };

function message(event: object, id = 'm-1', dequeueCount = 2) {
  const text = JSON.stringify(event);
  return { body: JSON.parse(text) as unknown, text, id, dequeueCount };
}
const signed = (signingKey: string, fields: Partial<typeof base> = {}) => {
  const event = { ...base, ...fields };
  return { ...event, signature: signEvent(signingKey, event) };
};

interface LogLine {
  level: string;
  message: string;
  properties: Record<string, unknown> | undefined;
}

/** The worker's ports: a key vault, a store that answers `insert`, telemetry and a log that record. */
function worker(insert: (event: IngestedEvent) => Promise<boolean> = () => Promise.resolve(true)) {
  const clock = new VirtualClock(0);
  const keys = keyVault(key);
  const signingKey = new CachedSecret(keys.vault, 'signing', clock, 10 * minute);
  const inserted: IngestedEvent[] = [];
  const store = {
    insertEvent: (event: IngestedEvent) => (inserted.push(event), insert(event)),
  } as unknown as Store;
  const telemetry = new RecordingTelemetry();
  const lines: LogLine[] = [];
  const at = (level: string) => (text: string, properties?: Record<string, unknown>) => void lines.push({ level, message: text, properties });
  const log = { info: at('info'), warn: at('warn'), error: at('error') };
  const run = (queued: ReturnType<typeof message>): Promise<IngestOutcome> => ingestMessage(queued, { store, signingKey, telemetry, log, maxMessageBytes: 4096, invocation });
  return { run, clock, keys, inserted, telemetry, lines };
}

describe('ingestMessage: one queue message', () => {
  it('a signed event is stored once, reported with the message id, dequeue count, event id and type', async () => {
    const w = worker();
    assert.deepEqual(await w.run(message(signed(key))), { status: 'stored', eventId: 'e-1' });
    assert.deepEqual(w.inserted, [{ id: 'e-1', type: 'device.status', occurredAt: new Date('2030-01-01T00:00:00Z'), payload: { ok: true } }]);
    const [stored] = w.telemetry.events(ingestEvents.stored);
    assert.deepEqual(stored?.properties, { messageId: 'm-1', dequeueCount: 2, eventId: 'e-1', type: 'device.status' });
    assert.equal(stored?.invocation, invocation);
    assert.deepEqual(w.lines, []);
  });

  it('an event already stored is a duplicate: a success, reported as such, not stored again', async () => {
    const w = worker(() => Promise.resolve(false));
    assert.deepEqual(await w.run(message(signed(key))), { status: 'duplicate', eventId: 'e-1' });
    assert.equal(w.telemetry.events(ingestEvents.stored).length, 0);
    assert.deepEqual(w.telemetry.events(ingestEvents.duplicate)[0]?.properties, { messageId: 'm-1', dequeueCount: 2, eventId: 'e-1', type: 'device.status' });
  });

  it('the event names are stable: dashboards and alerts query them', () => {
    assert.deepEqual(ingestEvents, { rejected: 'IngestMessageRejected', stored: 'IngestEventStored', duplicate: 'IngestEventDuplicate' });
  });

  it('bad input is rejected to the poison queue: logged and reported with its reason, detail, message id and dequeue count', async () => {
    const w = worker();
    const outcome = await w.run(message({ ...signed(key), extra: 1 }, 'm-9', 1));
    assert.deepEqual(outcome, { status: 'rejected', reason: 'wrong_shape', detail: 'unexpected field "extra"', eventId: 'e-1' });
    assert.deepEqual(w.lines, [
      { level: 'warn', message: 'Queue message m-9 rejected (wrong_shape): unexpected field "extra"; it goes to the poison queue', properties: { messageId: 'm-9', dequeueCount: 1, reason: 'wrong_shape', eventId: 'e-1' } },
    ]);
    const [rejected] = w.telemetry.events(ingestEvents.rejected);
    assert.deepEqual(rejected?.properties, { messageId: 'm-9', dequeueCount: 1, reason: 'wrong_shape', detail: 'unexpected field "extra"', eventId: 'e-1' });
    assert.equal(rejected?.invocation, invocation);
    assert.deepEqual([w.inserted, w.keys.state.reads], [[], 0], 'nothing stored, the vault not asked');
  });

  it('a signature of another length is simply not valid: a false, not an exception', () => {
    const event = signed(key);
    assert.equal(hasValidSignature(key, event), true);
    assert.equal(hasValidSignature(key, { ...event, signature: event.signature.slice(0, 40) }), false);
  });

  it('a signature made with another key is bad_signature, and nothing is stored', async () => {
    const w = worker();
    const outcome = await w.run(message(signed('x'.repeat(32))));
    assert.deepEqual(outcome, { status: 'rejected', reason: 'bad_signature', detail: 'the signature does not match the signing key', eventId: 'e-1' });
    assert.deepEqual(w.inserted, []);
  });

  it(`a failed signature check re-reads a key held ${signingKeyRecheckAfterMs / 1000} s or longer, so a rotated key verifies at once`, async () => {
    assert.equal(signingKeyRecheckAfterMs, 30_000);
    const w = worker();
    await w.run(message(signed(key)));
    w.keys.state.value = 'rotated'.repeat(5);
    w.clock.advance(29_999);
    const early = await w.run(message(signed('rotated'.repeat(5))));
    assert.equal(early.status === 'rejected' && early.reason, 'bad_signature', 'a key read moments ago is not doubted');
    assert.equal(w.keys.state.reads, 1);
    w.clock.advance(1);
    assert.equal((await w.run(message(signed('rotated'.repeat(5))))).status, 'stored');
    assert.equal(w.keys.state.reads, 2);
  });

  it('a signature that fails with the re-read key too is bad_signature', async () => {
    const w = worker();
    await w.run(message(signed(key)));
    w.clock.advance(minute);
    const outcome = await w.run(message(signed('x'.repeat(32))));
    assert.equal(outcome.status === 'rejected' && outcome.reason, 'bad_signature');
    assert.equal(w.keys.state.reads, 2, 'the key was read once more before rejecting');
  });

  it('an event the database cannot hold is rejected as unstorable with the database\'s reason, not retried', async () => {
    const w = worker(() => Promise.reject(new DependencyError('sql_bad_input', 'sql', 'PostgreSQL refused the data (22P05)', { retryable: false })));
    const outcome = await w.run(message(signed(key)));
    assert.deepEqual(outcome, { status: 'rejected', reason: 'unstorable', detail: 'PostgreSQL refused the data (22P05)', eventId: 'e-1' });
    assert.equal(w.telemetry.exceptions().length, 0);
  });

  it('a transient fault is thrown for the host to retry, logged and reported with the message and event ids', async () => {
    const failure = new DependencyError('sql_unavailable', 'sql', 'no connection', { retryable: true });
    const w = worker(() => Promise.reject(failure));
    await assert.rejects(w.run(message(signed(key))), (error) => error === failure);
    assert.deepEqual(w.lines.map((line) => [line.level, line.message]), [['warn', 'Queue message m-1 failed; the host will retry it']]);
    assert.deepEqual(w.lines[0]?.properties, { messageId: 'm-1', dequeueCount: 2, eventId: 'e-1', errorCode: 'sql_unavailable', dependency: 'sql', retryable: true, status: undefined, retryAfterMs: undefined, requestId: undefined });
    const [exception] = w.telemetry.exceptions();
    assert.equal(exception?.error, failure);
    assert.deepEqual(exception?.properties, { messageId: 'm-1', dequeueCount: 2, eventId: 'e-1', job: 'ingestEvents', errorCode: 'sql_unavailable', dependency: 'sql', retryable: true, status: undefined, retryAfterMs: undefined, requestId: undefined });
    assert.equal(exception?.invocation, invocation);
    assert.equal(w.telemetry.events(ingestEvents.rejected).length, 0, 'not poisoned at once');
  });

  it('any other failure is thrown too: the host retries up to maxDequeueCount, and the log says so', async () => {
    const w = worker(() => Promise.reject(new DependencyError('sql_rejected', 'sql', 'permission denied', { retryable: false })));
    await assert.rejects(w.run(message(signed(key))), DependencyError);
    assert.deepEqual(w.lines.map((line) => line.message), ['Queue message m-1 failed; not a transient fault; the host retries it up to maxDequeueCount, then poisons it']);
  });

  it('a signing key the vault cannot give is a transient fault of the message, not a bad signature', async () => {
    const w = worker();
    w.keys.state.failure = vaultDown;
    await assert.rejects(w.run(message(signed(key))), (error) => error instanceof DependencyError && error.code === 'vault_unavailable');
    assert.equal(w.telemetry.events(ingestEvents.rejected).length, 0);
    assert.equal(w.telemetry.exceptions()[0]?.properties['eventId'], 'e-1');
  });
});
