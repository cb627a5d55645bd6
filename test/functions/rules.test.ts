/** Pure rules of the functions layer, table-driven: settings, the sweep over in-memory ports, failures retrying cannot fix. (The message contract: event-contract.test.ts.) */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DependencyError } from '../../src/clients/errors.js';
import type { SecretInventoryRow, Store } from '../../src/clients/store.js';
import type { SecretSummary, SecretVault } from '../../src/clients/vault.js';
import { classifyAzureSqlError } from '../../src/clients/azure-sql-errors.js';
import { classifyPostgresError } from '../../src/clients/postgres-errors.js';
import { CachedSecret } from '../../src/jobs/cached-secret.js';
import { ingestMessage } from '../../src/jobs/ingest-events.js';
import { signEvent } from '../../src/jobs/ingest-message.js';
import { withRetries } from '../../src/jobs/retry.js';
import { InventorySweepFailed, runInventorySweep } from '../../src/jobs/inventory-sweep.js';
import { AppSettingError, readAppSettings } from '../../src/settings/app-settings.js';
import { markdownTable, readmeSection, repoRoot } from '../support/readme.js';
import { RecordingTelemetry } from '../support/recording-telemetry.js';
import { VirtualClock } from '../support/virtual-clock.js';

const baseEnv = { KEY_VAULT_URL: 'https://v.vault.azure.net', POSTGRES_HOST: 'h', POSTGRES_DATABASE: 'd', POSTGRES_USER: 'u' };

describe('app settings', () => {
  it('defaults every optional setting', () => {
    const settings = readAppSettings(baseEnv);
    assert.equal(settings.inventorySweep.schedule, '0 0 2 * * *');
    assert.equal(settings.inventorySweep.concurrency, 8);
    assert.equal(settings.ingest.queueName, 'ingest-events');
    assert.equal(settings.keyVaultSecretCacheTtlMs, 300_000);
    assert.deepEqual(settings.sql, { engine: 'postgres', host: 'h', port: 5432, database: 'd', user: 'u', ssl: true, poolMax: 10 });
  });

  it('Key Vault challenge resource verification stays on unless KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION turns it off', () => {
    assert.equal(readAppSettings(baseEnv).keyVaultDisableChallengeResourceVerification, false);
    assert.equal(readAppSettings({ ...baseEnv, KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'false' }).keyVaultDisableChallengeResourceVerification, false);
    assert.equal(readAppSettings({ ...baseEnv, KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true' }).keyVaultDisableChallengeResourceVerification, true);
    assert.equal(readAppSettings({ ...baseEnv, KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'TRUE' }).keyVaultDisableChallengeResourceVerification, true);
  });

  it('every setting in the README\'s app settings table is in local.settings.sample.json', () => {
    const sample = JSON.parse(readFileSync(`${repoRoot}local.settings.sample.json`, 'utf8')) as { Values: Record<string, string> };
    const [, ...rows] = markdownTable(readmeSection('App settings'));
    const documented = rows.map((cells) => (cells[0] ?? '').replace(/`/g, ''));
    assert.ok(documented.includes('KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION'));
    assert.deepEqual(documented.filter((name) => !(name in sample.Values)), []);
  });

  for (const [setting, env] of [
    ['KEY_VAULT_URL', { ...baseEnv, KEY_VAULT_URL: undefined }],
    ['KEY_VAULT_URL', { ...baseEnv, KEY_VAULT_URL: 'http://v.vault.azure.net' }],
    ['INVENTORY_SWEEP_CONCURRENCY', { ...baseEnv, INVENTORY_SWEEP_CONCURRENCY: '0' }],
    ['INVENTORY_SWEEP_SCHEDULE', { ...baseEnv, INVENTORY_SWEEP_SCHEDULE: '0 2 * * *' }],
    ['INGEST_QUEUE_NAME', { ...baseEnv, INGEST_QUEUE_NAME: 'Bad_Name' }],
    ['SQL_ENGINE', { ...baseEnv, SQL_ENGINE: 'mysql' }],
    ['AZURE_SQL_SERVER', { ...baseEnv, SQL_ENGINE: 'azure-sql', AZURE_SQL_DATABASE: 'd' }],
    ['POSTGRES_SSL', { ...baseEnv, POSTGRES_SSL: 'maybe' }],
    ['KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION', { ...baseEnv, KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'yes' }],
  ] as const) {
    it(`a bad or missing ${setting} is an error that names it`, () => {
      assert.throws(() => readAppSettings(env), (error) => error instanceof AppSettingError && error.setting === setting && error.message.includes(setting));
    });
  }
});

function memoryPorts(names: string[], failing: (name: string) => boolean) {
  const rows = new Map<string, SecretInventoryRow>();
  let inFlight = 0;
  let peak = 0;
  const secret = (name: string): SecretSummary => ({ name, version: 'v1', enabled: true, createdOn: undefined, updatedOn: undefined, expiresOn: new Date(Date.UTC(2031, 0, 1)), notBefore: undefined, contentType: undefined, tags: {} });
  const vault: SecretVault = {
    async *listSecrets() {
      for (const name of names) yield await Promise.resolve(secret(name));
    },
    async currentVersion(name) {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      if (failing(name)) throw new DependencyError('vault_throttled', 'key-vault', 'throttled', { retryable: true, retryAfterMs: 2_000 });
      return secret(name);
    },
    getSecretValue: () => Promise.reject(new Error('values are never read by the sweep')),
  };
  const store: Store = {
    upsertSecretInventory: (row) => Promise.resolve(void rows.set(row.name, row)),
    insertEvent: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
  return { vault, store, rows, peak: () => peak };
}

describe('inventory sweep job', () => {
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

  it('never runs more than `concurrency` items at once, and retries honour Retry-After on the clock', async () => {
    const ports = memoryPorts(Array.from({ length: 200 }, (_, i) => `s${i}`), (name) => name === 's7');
    const clock = new VirtualClock(Date.UTC(2030, 0, 1));
    const summary = await runInventorySweep({ ...ports, telemetry: new RecordingTelemetry(), log, clock, concurrency: 5, expiryWindowMs: 0 });
    assert.equal(ports.peak(), 5);
    assert.deepEqual([summary.upserted, summary.failed], [199, 1]);
    assert.deepEqual(clock.sleeps, [2_000, 2_000, 2_000], 'four attempts, waiting Retry-After between them');
  });

  it('fails the invocation when every item failed, after reporting each', async () => {
    const ports = memoryPorts(['a', 'b'], () => true);
    const telemetry = new RecordingTelemetry();
    await assert.rejects(runInventorySweep({ ...ports, telemetry, log, clock: new VirtualClock(0), concurrency: 2, expiryWindowMs: 0 }), InventorySweepFailed);
    assert.equal(telemetry.exceptions().length, 2);
    assert.equal(telemetry.events('InventorySweepCompleted').length, 1);
  });

  it('an item waiting for the database does not hold a Key Vault slot: the two stages are pipelined, each bounded by `concurrency`', async () => {
    const ports = memoryPorts(Array.from({ length: 20 }, (_, i) => `s${i}`), () => false);
    let upsertsRunning = 0;
    let upsertPeak = 0;
    let vaultCalls = 0;
    const release: (() => void)[] = [];
    const vault: SecretVault = { ...ports.vault, currentVersion: (name) => (vaultCalls++, ports.vault.currentVersion(name)) };
    const store: Store = {
      ...ports.store,
      async upsertSecretInventory(row) {
        upsertsRunning++;
        upsertPeak = Math.max(upsertPeak, upsertsRunning);
        await new Promise<void>((resolve) => release.push(resolve));
        upsertsRunning--;
        return ports.store.upsertSecretInventory(row);
      },
    };
    const run = runInventorySweep({ vault, store, telemetry: new RecordingTelemetry(), log, clock: new VirtualClock(0), concurrency: 2, expiryWindowMs: 0 });
    // Let the job go as far as it can while every upsert is held.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(upsertsRunning, 2, 'at most `concurrency` upserts at once');
    assert.equal(vaultCalls, 8, 'Key Vault lookups go on up to the in-flight bound (4 × concurrency) while the database is busy');
    while (release.length > 0 || upsertsRunning > 0) {
      release.splice(0).forEach((resolve) => resolve());
      await new Promise((resolve) => setImmediate(resolve));
    }
    const summary = await run;
    assert.deepEqual([summary.upserted, summary.failed, upsertPeak, ports.peak()], [20, 0, 2, 2]);
  });

  it('an empty vault is a successful run', async () => {
    const ports = memoryPorts([], () => false);
    const summary = await runInventorySweep({ ...ports, telemetry: new RecordingTelemetry(), log, clock: new VirtualClock(0), concurrency: 2, expiryWindowMs: 0 });
    assert.equal(summary.listed, 0);
  });
});

describe('failures that retrying cannot fix', () => {
  it('a Retry-After longer than a run can afford fails the item at once instead of stalling the sweep', async () => {
    const clock = new VirtualClock(0);
    let calls = 0;
    const throttled = new DependencyError('vault_throttled', 'key-vault', 'throttled', { retryable: true, status: 429, retryAfterMs: 120_000 });
    await assert.rejects(
      withRetries(() => {
        calls += 1;
        return Promise.reject(throttled);
      }, clock),
      (error) => error === throttled,
    );
    assert.equal(calls, 1);
    assert.deepEqual(clock.sleeps, []);
    // A short one is waited out, exactly as long as the service asked.
    let attempt = 0;
    const value = await withRetries(() => (++attempt === 1 ? Promise.reject(new DependencyError('vault_throttled', 'key-vault', 't', { retryable: true, retryAfterMs: 9_000 })) : Promise.resolve('ok')), clock);
    assert.equal(value, 'ok');
    assert.deepEqual(clock.sleeps, [9_000]);
  });

  it('a listing throttled longer than a run can afford ends the sweep with a reported listing failure, without waiting it out', async () => {
    const clock = new VirtualClock(0);
    let listings = 0;
    const vault: SecretVault = {
      // eslint-disable-next-line require-yield
      async *listSecrets() {
        listings += 1;
        await Promise.resolve();
        throw new DependencyError('vault_throttled', 'key-vault', 'throttled', { retryable: true, status: 429, retryAfterMs: 60 * 60_000 });
      },
      currentVersion: () => Promise.reject(new Error('nothing is listed')),
      getSecretValue: () => Promise.reject(new Error('values are never read by the sweep')),
    };
    const store: Store = { upsertSecretInventory: () => Promise.resolve(), insertEvent: () => Promise.resolve(true), close: () => Promise.resolve() };
    const telemetry = new RecordingTelemetry();
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const failed = await runInventorySweep({ vault, store, telemetry, log, clock, concurrency: 2, expiryWindowMs: 0 }).then(
      () => assert.fail('the sweep reports the listing failure'),
      (error: unknown) => error,
    );
    assert.ok(failed instanceof InventorySweepFailed);
    assert.equal(failed.summary.listingFailed, true);
    assert.equal(listings, 1);
    assert.deepEqual(clock.sleeps, [], 'a 60-minute Retry-After is not slept inside a 10-minute function');
    assert.equal(telemetry.events('InventorySweepCompleted').length, 1);
  });

  const badInput: [string, DependencyError][] = [
    ['PostgreSQL class 22 (untranslatable character)', classifyPostgresError(Object.assign(new Error('x'), { code: '22P05' }))],
    ['PostgreSQL invalid datetime', classifyPostgresError(Object.assign(new Error('x'), { code: '22007' }))],
    ['Azure SQL out-of-range datetime', classifyAzureSqlError(Object.assign(new Error('x'), { number: 242 }))],
    ['tedious parameter validation', classifyAzureSqlError(Object.assign(new Error('x'), { code: 'EPARAM' }))],
  ];
  for (const [name, error] of badInput) {
    it(`${name} is sql_bad_input, not retryable`, () => {
      assert.equal(error.code, 'sql_bad_input');
      assert.equal(error.retryable, false);
    });
  }
  it('a deadlock or a lost connection stays retryable', () => {
    assert.equal(classifyPostgresError(Object.assign(new Error('x'), { code: '40P01' })).retryable, true);
    assert.equal(classifyAzureSqlError(Object.assign(new Error('x'), { number: 40613 })).retryable, true);
  });

  it('an event the database refuses is rejected to the poison queue at once (unstorable), not retried', async () => {
    const key = 'k'.repeat(32);
    const base = { id: 'e-unstorable', type: 'device.status', occurredAt: '2030-01-01T00:00:00Z', payload: { ok: true } };
    const text = JSON.stringify({ ...base, signature: signEvent(key, base) });
    const clock = new VirtualClock(0);
    const vault: Pick<SecretVault, 'getSecretValue'> = { getSecretValue: () => Promise.resolve(key) };
    const store = {
      insertEvent: () => Promise.reject(new DependencyError('sql_bad_input', 'sql', 'PostgreSQL refused the data (22P05)', { retryable: false })),
    } as unknown as Store;
    const telemetry = new RecordingTelemetry();
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const outcome = await ingestMessage(
      { body: JSON.parse(text) as unknown, text, id: 'm-1', dequeueCount: 1 },
      { store, signingKey: new CachedSecret(vault as SecretVault, 'signing', clock, 60_000), telemetry, log, maxMessageBytes: 4096 },
    );
    assert.deepEqual(outcome.status === 'rejected' && [outcome.reason, outcome.eventId], ['unstorable', 'e-unstorable']);
    assert.equal(telemetry.events('IngestMessageRejected')[0]?.properties.messageId, 'm-1');
  });

  it('a token failure while storing is transient: the worker throws so that the host retries', async () => {
    const key = 'k'.repeat(32);
    const base = { id: 'e-token', type: 'device.status', occurredAt: '2030-01-01T00:00:00Z', payload: { ok: true } };
    const text = JSON.stringify({ ...base, signature: signEvent(key, base) });
    const clock = new VirtualClock(0);
    const vault: Pick<SecretVault, 'getSecretValue'> = { getSecretValue: () => Promise.resolve(key) };
    const tokenDown = new DependencyError('token_unavailable', 'identity', 'no token for the database', { retryable: true });
    const store = { insertEvent: () => Promise.reject(tokenDown) } as unknown as Store;
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    await assert.rejects(
      ingestMessage(
        { body: JSON.parse(text) as unknown, text, id: 'm-2', dequeueCount: 1 },
        { store, signingKey: new CachedSecret(vault as SecretVault, 'signing', clock, 60_000), telemetry: new RecordingTelemetry(), log, maxMessageBytes: 4096 },
      ),
      (error) => error === tokenDown,
    );
  });
});
