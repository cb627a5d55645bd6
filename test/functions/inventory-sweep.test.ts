/**
 * The timer batch job end to end: the handler functions/ registered, invoked with a real
 * InvocationContext, listing the Key Vault emulator (provider tokens, paging) and upserting into a
 * real PostgreSQL signed in with the issued token.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import functions from '@azure/functions';
import type { Timer } from '@azure/functions';
import { startFunctionsApp, type FunctionsApp } from '../support/functions-app.js';
import { registeredFunction, triggerBinding } from '../../src/sandbox/host/functions-core-shim.js';
import { startFunctionsStack, type FunctionsStack } from '../support/functions-stack.js';
import { startPostgres, type LocalPostgres } from '../support/postgres.js';
import { LeakCollector } from '../support/leak-collector.js';
import { RecordingTelemetry } from '../support/recording-telemetry.js';
import { VirtualClock } from '../support/virtual-clock.js';

const appRole = 'func_sweep_identity';
const dayMs = 86_400_000;
const secretCount = 3000;

describe('inventorySweep on the Key Vault emulator and PostgreSQL', () => {
  let stack: FunctionsStack;
  let postgres: LocalPostgres;
  const telemetry = new RecordingTelemetry();
  const leaks = new LeakCollector();
  const secretValues: string[] = [];
  const start = Date.parse('2030-01-01T02:00:00Z');
  const clock = new VirtualClock(start);
  let app: FunctionsApp;

  const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
  const invoke = (): Promise<unknown> =>
    Promise.resolve(registeredFunction('inventorySweep').handler(timer, new functions.InvocationContext({ invocationId: crypto.randomUUID(), functionName: 'inventorySweep', logHandler: leaks.logHandler })));
  const table = async (): Promise<Record<string, unknown>[]> => (await postgres.admin.query<Record<string, unknown>>('SELECT * FROM secret_inventory ORDER BY name')).rows;

  before(async () => {
    [stack, postgres] = await Promise.all([startFunctionsStack({ vaultNow: () => clock.now() }), startPostgres()]);
    for (let i = 0; i < secretCount; i++) {
      const name = `app-secret-${String(i).padStart(5, '0')}`;
      // Every 10th expires within the 30-day window, every 10th (offset 5) has no expiry, the rest expire in a year.
      const expiresOn = i % 10 === 0 ? new Date(start + 7 * dayMs) : i % 10 === 5 ? undefined : new Date(start + 365 * dayMs);
      const value = `sweep-secret-value-${i}-${crypto.randomUUID()}`;
      secretValues.push(value);
      stack.vault.setSecret(name, value, { expiresOn, contentType: 'text/plain', tags: { team: i % 2 ? 'a' : 'b' } });
    }
    app = await startFunctionsApp({
      stack,
      postgres,
      appRole,
      telemetry,
      clock,
      settings: { INVENTORY_SWEEP_SCHEDULE: '0 30 1 * * *', INVENTORY_SWEEP_CONCURRENCY: '16', INVENTORY_EXPIRY_WINDOW_DAYS: '30' },
    });
  });

  after(async () => {
    leaks.addTelemetry(telemetry.items);
    await app.shutdown();
    await Promise.all([stack.stop(), postgres.stop()]);
  });

  beforeEach(() => {
    leaks.addTelemetry(telemetry.items);
    telemetry.clear();
    stack.vault.reset();
  });

  it('registers a timer on the configured NCRONTAB schedule that never runs on start-up', () => {
    const trigger = triggerBinding(registeredFunction('inventorySweep'));
    assert.equal(trigger.type, 'timerTrigger');
    assert.equal(trigger.schedule, '0 30 1 * * *');
    assert.equal(trigger.runOnStartup, false);
  });

  it(`inventories ${secretCount} secrets with their current versions and reports the ones near or without expiry`, async () => {
    const started = performance.now();
    await invoke();
    const elapsedMs = performance.now() - started;
    const rows = (await table()) as { name: string; version: string | null; tags: Record<string, string> }[];
    assert.equal(rows.length, secretCount);
    assert.ok(rows.every((row) => row.version !== null && /^[0-9a-f]{32}$/.test(row.version)));
    assert.deepEqual(rows[1]?.tags, { team: 'a' });
    assert.equal(telemetry.events('SecretNearExpiry').length, secretCount / 10);
    assert.equal(telemetry.events('SecretWithoutExpiry').length, secretCount / 10);
    const [completed] = telemetry.events('InventorySweepCompleted');
    assert.deepEqual({ ...completed?.properties, durationMs: undefined }, { listed: secretCount, upserted: secretCount, failed: 0, nearExpiry: 300, withoutExpiry: 300, durationMs: undefined, listingFailed: false, concurrency: 16 });
    assert.equal(stack.vault.count('get'), 0, 'secret values are never read');
    console.log(`# sweep: ${secretCount} secrets (${stack.vault.count('list')} list pages + ${stack.vault.count('versions')} version lookups + ${secretCount} upserts) in ${Math.round(elapsedMs)} ms at concurrency 16`);
  });

  it('is idempotent: a second run leaves exactly the same rows', async () => {
    const before = await table();
    await invoke();
    assert.deepEqual(await table(), before);
  });

  it('a failed item is reported and the rest go on', async () => {
    stack.vault.script(...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 500, only: 'versions' as const, secret: 'app-secret-00042' })));
    await invoke();
    const [completed] = telemetry.events('InventorySweepCompleted');
    assert.equal(completed?.properties.failed, 1);
    assert.equal(completed?.properties.upserted, secretCount - 1);
    const [failure] = telemetry.exceptions();
    assert.equal(failure?.properties.secretName, 'app-secret-00042');
    assert.equal(failure?.properties.errorCode, 'vault_unavailable');
  });

  it('a throttled listing waits out Retry-After on the clock and lists again, each secret once', async () => {
    const sleepsBefore = clock.sleeps.length;
    stack.vault.script({ kind: 'status', status: 429, retryAfter: '9', only: 'list' });
    await invoke();
    assert.deepEqual(clock.sleeps.slice(sleepsBefore), [9_000]);
    const [completed] = telemetry.events('InventorySweepCompleted');
    assert.equal(completed?.properties.listed, secretCount);
    assert.equal(completed?.properties.upserted, secretCount);
  });

  it('no log line or telemetry item of this suite holds a token, a secret value or the identity header', () => {
    leaks.addTelemetry(telemetry.items);
    assert.ok(leaks.size > 100, `the scan has material (${leaks.size} lines and items)`);
    const secrets = [
      ...stack.identity.issuedTokens.map((t, i) => ({ label: `issued token ${i}`, value: t.token })),
      ...secretValues.map((value, i) => ({ label: `secret value ${i}`, value })),
      { label: 'IDENTITY_HEADER', value: stack.identity.identityHeader },
    ];
    assert.deepEqual(leaks.leaks(secrets), []);
  });
});
