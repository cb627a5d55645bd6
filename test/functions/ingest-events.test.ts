/**
 * The queue worker end to end: messages in Azurite, delivered to the handler functions/ registered
 * (captured as the worker captures it) by a harness that follows the host's queue rules from
 * host.json; signing key from the Key Vault emulator with provider tokens; rows in a real
 * PostgreSQL whose app role signs in with the token the identity emulator issued.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { signEvent } from '../../src/jobs/ingest-message.js';
import { startAzuriteQueue, type Azurite } from '../../src/sandbox/azurite.js';
import { startFunctionsApp, type FunctionsApp } from '../support/functions-app.js';
import { registeredFunction, runHooks } from '../../src/sandbox/host/functions-core-shim.js';
import { startFunctionsStack, type FunctionsStack } from '../support/functions-stack.js';
import { startPostgres, type LocalPostgres } from '../support/postgres.js';
import { QueueHost, queueServiceClient, readHostQueueSettings, type HostQueueSettings } from '../../src/sandbox/host/queue-host.js';
import { defaultMaxStaleMs } from '../../src/jobs/cached-secret.js';
import { LeakCollector } from '../support/leak-collector.js';
import { RecordingTelemetry } from '../support/recording-telemetry.js';
import { VirtualClock } from '../support/virtual-clock.js';

const hostJson = fileURLToPath(new URL('../../../host.json', import.meta.url));
const signingKey = 'k3y-for-tests-only-0123456789abcdef';
const appRole = 'func_app_identity';
const queueName = 'ingest-e2e';

function event(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base = { id, type: 'device.reading', occurredAt: '2030-01-01T10:00:00.000Z', payload: { deviceId: `dev-${id}`, celsius: 21.5 } };
  return { ...base, signature: signEvent(signingKey, base), ...overrides };
}

/** A signed event whose message text is exactly `bytes` UTF-8 bytes long. */
function eventOfBytes(id: string, bytes: number): string {
  const signed = (pad: string): string => {
    const base = { id, type: 'device.reading', occurredAt: '2030-01-01T10:00:00.000Z', payload: { pad } };
    return JSON.stringify({ ...base, signature: signEvent(signingKey, base) });
  };
  return signed('x'.repeat(bytes - Buffer.byteLength(signed(''))));
}

describe('ingestEvents on Azurite, Key Vault emulator and PostgreSQL', () => {
  let stack: FunctionsStack;
  let azurite: Azurite;
  let postgres: LocalPostgres;
  let host: QueueHost;
  let settings: HostQueueSettings;
  const telemetry = new RecordingTelemetry();
  const leaks = new LeakCollector();
  /** Runs while released messages wait out their visibility timeout (the outage ends, say). */
  let whileMessagesWait: (() => Promise<void>) | undefined;
  const clock = new VirtualClock(Date.parse('2030-01-01T12:00:00Z'));
  let app: FunctionsApp;

  const rows = async (): Promise<{ id: string; type: string }[]> => (await postgres.admin.query<{ id: string; type: string }>('SELECT id, type FROM ingested_events ORDER BY id')).rows;

  before(async () => {
    [stack, azurite, postgres] = await Promise.all([startFunctionsStack(), startAzuriteQueue(), startPostgres()]);
    stack.vault.setSecret('ingest-signing-key', signingKey);
    app = await startFunctionsApp({
      stack,
      postgres,
      appRole,
      telemetry,
      clock,
      settings: { SQL_ENGINE: 'postgres', INGEST_QUEUE_NAME: queueName, INGEST_MAX_MESSAGE_BYTES: '2048', AzureWebJobsStorage: azurite.connectionString },
    });
    assert.ok(stack.identity.wasIssued(app.appToken));

    settings = readHostQueueSettings(hostJson);
    host = new QueueHost({
      serviceClient: queueServiceClient(azurite.connectionString),
      fn: registeredFunction('ingestEvents'),
      settings,
      retryVisibilitySeconds: 0,
      passTime: async (ms) => {
        clock.advance(ms);
        await whileMessagesWait?.();
      },
      onLog: (level, args) => leaks.logHandler(level, ...args),
    });
    await host.createQueues();
  });

  after(async () => {
    await app.shutdown();
    await Promise.all([stack.stop(), azurite.stop(), postgres.stop()]);
  });

  beforeEach(async () => {
    whileMessagesWait = undefined;
    leaks.addTelemetry(telemetry.items);
    telemetry.clear();
    host.deliveries.length = 0;
    host.releasedWithSeconds.length = 0;
    stack.vault.reset();
    await postgres.admin.query('DELETE FROM ingested_events');
    await host.poison.clearMessages();
  });

  it('registers a queue trigger on the configured queue over AzureWebJobsStorage, with the poison queue as output', () => {
    const bindings = Object.values(registeredFunction('ingestEvents').bindings);
    assert.deepEqual(
      bindings.map(({ type, direction, queueName: queue, connection }) => ({ type, direction, queue, connection })),
      [
        { type: 'queueTrigger', direction: 'in', queue: queueName, connection: 'AzureWebJobsStorage' },
        { type: 'queue', direction: 'out', queue: `${queueName}-poison`, connection: 'AzureWebJobsStorage' },
      ],
    );
    assert.deepEqual(settings, { batchSize: 16, maxDequeueCount: 5, visibilityTimeoutSeconds: 30, maxPollingIntervalMs: 2_000, messageEncoding: 'base64' });
  });

  it('stores a few hundred signed events, one row each, within the budget', async () => {
    const count = 300;
    await Promise.all(Array.from({ length: count }, (_, i) => host.enqueue(JSON.stringify(event(`evt-${String(i).padStart(4, '0')}`)))));
    const started = performance.now();
    await host.drain();
    const elapsedMs = performance.now() - started;
    assert.equal((await rows()).length, count);
    assert.equal(host.deliveries.filter((d) => d.outcome === 'succeeded').length, count);
    assert.equal((await host.poisonBodies()).length, 0);
    assert.ok(stack.vault.count('get') <= 1, 'the signing key is read once and cached, not per message');
    console.log(`# worker: ${count} messages in ${Math.round(elapsedMs)} ms (${Math.round((count / elapsedMs) * 1000)} msg/s)`);
  });

  it('the same message delivered twice is stored once (exactly-once effect)', async () => {
    const text = JSON.stringify(event('evt-dup'));
    await host.enqueue(text);
    await host.enqueue(text);
    await host.drain();
    assert.deepEqual(await rows(), [{ id: 'evt-dup', type: 'device.reading' }]);
    assert.equal(host.deliveries.filter((d) => d.outcome === 'succeeded').length, 2);
    assert.equal(telemetry.events('IngestEventStored').length, 1);
    assert.equal(telemetry.events('IngestEventDuplicate').length, 1);
  });

  it('bad input goes to the poison queue at once, body intact, reported with message id and dequeue count', async () => {
    const tampered: Record<string, unknown> = { ...event('evt-tampered'), payload: { deviceId: 'dev-x', celsius: 99 } };
    const bad = {
      not_json: 'this is { not json',
      wrong_shape: JSON.stringify({ id: 'evt-shape', type: 'device.reading' }),
      unknown_type: JSON.stringify(event('evt-type', { type: 'device.unknown' })),
      bad_signature: JSON.stringify(tampered),
      oversized: JSON.stringify(event('evt-big', { payload: { blob: 'x'.repeat(4096) } })),
    };
    const ids = new Map<string, string>();
    for (const [reason, text] of Object.entries(bad)) ids.set(await host.enqueue(text), reason);
    await host.drain();

    assert.deepEqual(await rows(), []);
    assert.deepEqual((await host.poisonBodies()).sort(), Object.values(bad).sort(), 'each body reaches the poison queue unchanged');
    assert.equal(host.deliveries.length, 5, 'one delivery each: never retried as if transient');
    assert.ok(host.deliveries.every((d) => d.outcome === 'succeeded' && d.dequeueCount === 1));
    const rejected = telemetry.events('IngestMessageRejected');
    assert.deepEqual(
      rejected.map((r) => [r.properties.messageId, r.properties.reason, r.properties.dequeueCount]).sort(),
      [...ids].map(([id, reason]) => [id, reason, 1]).sort(),
    );
    const reported = JSON.stringify(telemetry.items);
    assert.ok(!reported.includes(String(tampered.signature)) && !reported.includes(signingKey), 'neither the signature nor the key is reported');
  });

  it('INGEST_MAX_MESSAGE_BYTES (2048 here) counts the decoded message text, not the base64 body on the queue', async () => {
    const fits = eventOfBytes('evt-fits', 2048);
    const over = eventOfBytes('evt-over', 2049);
    assert.ok(host.encode(fits).length > 2048, 'the base64 body on the queue is a third larger than the limit');
    await host.enqueue(fits);
    await host.enqueue(over);
    await host.drain();
    assert.deepEqual((await rows()).map((r) => r.id), ['evt-fits']);
    assert.deepEqual(await host.poisonBodies(), [over]);
    assert.deepEqual(telemetry.events('IngestMessageRejected').map((r) => [r.properties.reason, r.properties.detail]), [['oversized', '2049 bytes, limit 2048']]);
  });

  it('a transient Key Vault fault is retried by the host: fails twice, then one row and no poison', async () => {
    // The held signing key is older than it may be served while the vault fails: a true cold read.
    clock.advance(defaultMaxStaleMs + 1_000);
    stack.vault.script({ kind: 'status', status: 503, only: 'get' }, { kind: 'status', status: 500, only: 'get' });
    await host.enqueue(JSON.stringify(event('evt-retry')));
    await host.drain();
    assert.deepEqual(await rows(), [{ id: 'evt-retry', type: 'device.reading' }]);
    assert.deepEqual(host.deliveries.map((d) => [d.outcome, d.dequeueCount]), [['failed', 1], ['failed', 2], ['succeeded', 3]]);
    assert.deepEqual(host.releasedWithSeconds, [30, 30], 'released with host.json visibilityTimeout');
    assert.equal((await host.poisonBodies()).length, 0);
    assert.equal(telemetry.exceptions().length, 2);
    assert.equal(telemetry.exceptions()[0]?.properties.errorCode, 'vault_unavailable');
  });

  it('a database out of connections is a transient fault: the host retries, and once it has room, one row and no poison', async () => {
    // The role's connection limit drops to 0 and its connections end: new sign-ins get 53300.
    await postgres.admin.query(`ALTER ROLE ${appRole} CONNECTION LIMIT 0`);
    await postgres.admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [appRole]);
    whileMessagesWait = async () => {
      await postgres.admin.query(`ALTER ROLE ${appRole} CONNECTION LIMIT -1`);
    };
    await host.enqueue(JSON.stringify(event('evt-db-outage')));
    await host.drain();
    assert.deepEqual(host.deliveries.map((d) => [d.outcome, d.dequeueCount]), [['failed', 1], ['succeeded', 2]]);
    assert.equal(telemetry.exceptions()[0]?.properties.errorCode, 'sql_unavailable');
    assert.deepEqual(await rows(), [{ id: 'evt-db-outage', type: 'device.reading' }]);
    assert.deepEqual(await host.poisonBodies(), []);
  });

  it('a fault that outlasts maxDequeueCount ends in the poison queue with its body intact', async () => {
    clock.advance(defaultMaxStaleMs + 1_000);
    stack.vault.script(...Array.from({ length: settings.maxDequeueCount }, () => ({ kind: 'status' as const, status: 503, only: 'get' as const })));
    const text = JSON.stringify(event('evt-outage'));
    await host.enqueue(text);
    await host.drain();
    assert.deepEqual(await rows(), []);
    assert.deepEqual(host.deliveries.filter((d) => d.outcome === 'failed').map((d) => d.dequeueCount), [1, 2, 3, 4, 5]);
    assert.deepEqual(await host.poisonBodies(), [text]);
  });

  it('a long Key Vault 429 (Retry-After 300 s) never poisons valid messages: the held key keeps verifying them', async () => {
    clock.advance(60_000); // the vault's back-off after the previous test's outage has passed
    await host.enqueue(JSON.stringify(event('evt-warm-up'))); // the worker holds a freshly read key
    await host.drain();
    clock.advance(301_000); // the key's TTL has passed, so the next message tries to re-read it
    stack.vault.script({ kind: 'status', status: 429, retryAfter: '300', only: 'get' });
    await host.enqueue(JSON.stringify(event('evt-throttled-1')));
    await host.drain();
    clock.advance(60_000);
    await host.enqueue(JSON.stringify(event('evt-throttled-2')));
    await host.drain();
    assert.equal(stack.vault.count('get'), 2, 'the warm-up read, the throttled re-read, then no vault call while Retry-After runs');
    assert.deepEqual(host.deliveries.map((d) => d.outcome), ['succeeded', 'succeeded', 'succeeded'], 'first delivery, no retries');
    clock.advance(240_000);
    await host.enqueue(JSON.stringify(event('evt-after-window')));
    await host.drain();
    assert.equal(stack.vault.count('get'), 3, 'the key is re-read once the window has passed');
    assert.deepEqual((await rows()).map((r) => r.id), ['evt-after-window', 'evt-throttled-1', 'evt-throttled-2', 'evt-warm-up']);
    assert.deepEqual(await host.poisonBodies(), []);
  });

  it('a Key Vault 429 on a cold key pauses vault calls until Retry-After passes; the host retries then succeed', async () => {
    clock.advance(defaultMaxStaleMs + 1_000);
    stack.vault.script({ kind: 'status', status: 429, retryAfter: '120', only: 'get' });
    const text = JSON.stringify(event('evt-throttled'));
    await host.enqueue(text);
    await host.drain();
    // Deliveries every 30 s (the visibility timeout): 0 s reads the vault and is throttled; 30, 60
    // and 90 s fail fast without a vault call; at 120 s the gate is open and the message lands.
    assert.deepEqual(host.deliveries.map((d) => [d.dequeueCount, d.outcome]), [[1, 'failed'], [2, 'failed'], [3, 'failed'], [4, 'failed'], [5, 'succeeded']]);
    assert.equal(stack.vault.count('get'), 2);
    assert.deepEqual(await rows(), [{ id: 'evt-throttled', type: 'device.reading' }]);
    assert.deepEqual(await host.poisonBodies(), []);
  });

  it('when the host terminates the app, its appTerminate hook closes the SQL pool', async () => {
    await host.enqueue(JSON.stringify(event('evt-before-shutdown')));
    await host.drain();
    const appConnections = async (): Promise<number> =>
      Number((await postgres.admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1', [appRole])).rows[0]?.n ?? 0);
    assert.ok((await appConnections()) > 0, 'the worker holds pooled connections');
    assert.equal(await runHooks('appTerminate'), 1);
    for (let i = 0; i < 50 && (await appConnections()) > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await appConnections(), 0);
  });

  it('no log line or telemetry item of this suite holds a token, the signing key or the identity header', () => {
    leaks.addTelemetry(telemetry.items);
    assert.ok(leaks.size > 100, `the scan has material (${leaks.size} lines and items)`);
    const secrets = [
      ...stack.identity.issuedTokens.map((t, i) => ({ label: `issued token ${i}`, value: t.token })),
      { label: 'signing key', value: signingKey },
      { label: 'IDENTITY_HEADER', value: stack.identity.identityHeader },
    ];
    assert.deepEqual(leaks.leaks(secrets), []);
  });
});
