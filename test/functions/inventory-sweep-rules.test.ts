/**
 * The inventory sweep's rules over in-memory ports on virtual time: retries and their waits, the
 * expiry report, the summary, log lines and telemetry, failure listing and restarted listings.
 * (inventory-sweep.test.ts runs the same job end to end on the Key Vault emulator and PostgreSQL.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DependencyError } from '../../src/clients/errors.js';
import type { SecretInventoryRow, Store } from '../../src/clients/store.js';
import type { SecretSummary, SecretVault } from '../../src/clients/vault.js';
import { InventorySweepFailed, runInventorySweep, sweepEvents, type InventorySweepInput } from '../../src/jobs/inventory-sweep.js';
import { affordableRetryDelayMs, retryDelayMs, sweepRetryPolicy, withRetries, type RetryPolicy } from '../../src/jobs/retry.js';
import { RecordingTelemetry } from '../support/recording-telemetry.js';
import { VirtualClock } from '../support/virtual-clock.js';

const dayMs = 86_400_000;
const start = Date.UTC(2030, 0, 1);
const invocation = { invocationId: 'inv-1', operationId: 'op-1' };

const throttled = (retryAfterMs?: number): DependencyError =>
  new DependencyError('vault_throttled', 'key-vault', 'throttled', retryAfterMs === undefined ? { retryable: true, status: 429 } : { retryable: true, status: 429, retryAfterMs });
const unavailable = (): DependencyError => new DependencyError('vault_unavailable', 'key-vault', 'down', { retryable: true, status: 503 });
const rejected = (): DependencyError => new DependencyError('vault_rejected', 'key-vault', 'forbidden', { retryable: false, status: 403 });

function summaryOf(name: string, fields: Partial<SecretSummary> = {}): SecretSummary {
  return { name, version: undefined, enabled: true, createdOn: undefined, updatedOn: undefined, expiresOn: new Date(start + 365 * dayMs), notBefore: undefined, contentType: undefined, tags: {}, ...fields };
}

interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  properties: Record<string, unknown> | undefined;
}

function recordingLog() {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string, properties?: Record<string, unknown>) => void lines.push({ level, message, properties });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

/**
 * A vault whose listing yields `names` (each `listSecrets()` call runs `listing(n)` first, so a
 * test can fail a listing part-way) and whose lookups answer `lookup(name)`.
 */
function sweepPorts(options: {
  names: string[];
  lookup?: (name: string, attempt: number) => SecretSummary | undefined | Error;
  failListing?: (listing: number, index: number) => Error | undefined;
  upsert?: (row: SecretInventoryRow) => Error | undefined;
}) {
  const rows: SecretInventoryRow[] = [];
  const lookups = new Map<string, number>();
  let listings = 0;
  const vault: SecretVault = {
    async *listSecrets() {
      const listing = ++listings;
      for (const [index, name] of options.names.entries()) {
        const error = options.failListing?.(listing, index);
        if (error) throw error;
        yield await Promise.resolve(summaryOf(name));
      }
    },
    async currentVersion(name) {
      const attempt = (lookups.get(name) ?? 0) + 1;
      lookups.set(name, attempt);
      await new Promise((resolve) => setImmediate(resolve));
      const answer = options.lookup ? options.lookup(name, attempt) : summaryOf(name, { version: `${name}-v1` });
      if (answer instanceof Error) throw answer;
      return answer;
    },
    getSecretValue: () => Promise.reject(new Error('values are never read by the sweep')),
  };
  const store: Store = {
    upsertSecretInventory(row) {
      const error = options.upsert?.(row);
      if (error) return Promise.reject(error);
      rows.push(row);
      return Promise.resolve();
    },
    insertEvent: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
  return { vault, store, rows, lookups, listings: () => listings };
}

function sweep(ports: { vault: SecretVault; store: Store }, extra: Partial<InventorySweepInput> = {}) {
  const telemetry = new RecordingTelemetry();
  const { lines, log } = recordingLog();
  const clock = new VirtualClock(start);
  const run = runInventorySweep({ vault: ports.vault, store: ports.store, telemetry, log, clock, concurrency: 2, expiryWindowMs: 30 * dayMs, invocation, ...extra });
  return { run, telemetry, lines, clock };
}

describe('retry waits (retry.ts)', () => {
  const policy: RetryPolicy = { attempts: 6, firstDelayMs: 5_000, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 };

  it('the sweep policy: four tries, 5 s first back-off doubling to a 30 s cap, Retry-After waited up to 60 s', () => {
    assert.deepEqual(sweepRetryPolicy, { attempts: 4, firstDelayMs: 5_000, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 });
  });

  it('without Retry-After the back-off starts at 5 s, doubles, and stops growing at the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(policy, attempt, unavailable())), [5_000, 10_000, 20_000, 30_000, 30_000]);
  });

  const retryAfterCases: [string, unknown, number][] = [
    ['a Retry-After is waited exactly, shorter or longer than the back-off', 42_000, 42_000],
    // The clients turn an HTTP Retry-After of 0 into none and floor their own back-off at 5 s, so a
    // retryAfterMs of 0 can only be their gate saying it is open again.
    ['a retryAfterMs of 0 (the client\'s gate is open again) retries at once', 0, 0],
    ['a negative Retry-After is no answer: the back-off applies', -1, 5_000],
    ['a Retry-After that is not a number is no answer: the back-off applies', '9000', 5_000],
  ];
  for (const [rule, retryAfterMs, expected] of retryAfterCases) {
    it(rule, () => {
      assert.equal(retryDelayMs(policy, 1, Object.assign(unavailable(), { retryAfterMs })), expected);
    });
  }

  it('a Retry-After up to maxRetryAfterMs is waited inside the run; one millisecond more is not', () => {
    assert.equal(affordableRetryDelayMs(policy, 1, throttled(60_000)), 60_000);
    assert.equal(affordableRetryDelayMs(policy, 1, throttled(60_001)), undefined);
  });

  it('no retry after the last attempt, nor for a failure retrying cannot fix', () => {
    assert.equal(affordableRetryDelayMs(policy, 5, throttled(1_000)), 1_000);
    assert.equal(affordableRetryDelayMs(policy, 6, throttled(1_000)), undefined);
    assert.equal(affordableRetryDelayMs(policy, 1, rejected()), undefined);
  });

  it('withRetries sleeps each wait on the clock and returns the first success', async () => {
    const clock = new VirtualClock(0);
    let calls = 0;
    const value = await withRetries(() => (++calls < 4 ? Promise.reject(unavailable()) : Promise.resolve(calls)), clock, policy);
    assert.equal(value, 4);
    assert.deepEqual(clock.sleeps, [5_000, 10_000, 20_000]);
  });

  it('withRetries uses the sweep policy unless told otherwise: four tries, then the last failure', async () => {
    const clock = new VirtualClock(0);
    const errors = [unavailable(), unavailable(), unavailable(), unavailable()];
    let calls = 0;
    await assert.rejects(
      withRetries(() => Promise.reject(errors[calls++] ?? new Error('a fifth try')), clock),
      (error) => error === errors[3],
    );
    assert.deepEqual(clock.sleeps, [5_000, 10_000, 20_000]);
  });

  it('a failure retrying cannot fix is thrown at once', async () => {
    const clock = new VirtualClock(0);
    let calls = 0;
    await assert.rejects(withRetries(() => (calls++, Promise.reject(rejected())), clock, policy), DependencyError);
    assert.equal(calls, 1);
    assert.deepEqual(clock.sleeps, []);
  });
});

describe('inventory sweep: what is recorded', () => {
  it('each row is the current version\'s metadata under the listed name, absent fields stored as null', async () => {
    const created = new Date(start - 10 * dayMs);
    const ports = sweepPorts({
      names: ['full', 'bare'],
      lookup: (name) =>
        name === 'full'
          ? summaryOf('FULL', { version: 'abc', enabled: false, createdOn: created, updatedOn: created, expiresOn: created, notBefore: created, contentType: 'text/plain', tags: { team: 'a' } })
          : summaryOf('BARE', { expiresOn: undefined }),
    });
    await sweep(ports).run;
    const byName = Object.fromEntries(ports.rows.map((row) => [row.name, row]));
    assert.deepEqual(byName['full'], { name: 'full', version: 'abc', enabled: false, createdOn: created, updatedOn: created, expiresOn: created, notBefore: created, contentType: 'text/plain', tags: { team: 'a' } });
    assert.deepEqual(byName['bare'], { name: 'bare', version: null, enabled: true, createdOn: null, updatedOn: null, expiresOn: null, notBefore: null, contentType: null, tags: {} });
  });

  it('a secret deleted between the listing and its lookup is listed but neither upserted nor failed', async () => {
    const ports = sweepPorts({ names: ['kept', 'gone'], lookup: (name) => (name === 'gone' ? undefined : summaryOf(name)) });
    const { run, telemetry } = sweep(ports);
    const summary = await run;
    assert.deepEqual([summary.listed, summary.upserted, summary.failed], [2, 1, 0]);
    assert.deepEqual(ports.rows.map((row) => row.name), ['kept']);
    assert.equal(telemetry.exceptions().length, 0);
  });
});

describe('inventory sweep: the expiry report', () => {
  const expiring = (offsetMs: number | undefined) => (name: string) => summaryOf(name, { version: 'v9', expiresOn: offsetMs === undefined ? undefined : new Date(start + offsetMs) });

  it('a secret expiring within the window, its last millisecond included, is reported near expiry with whole days left', async () => {
    const offsets: Record<string, number> = { edge: 30 * dayMs, beyond: 30 * dayMs + 1, soon: 2 * dayMs + dayMs / 2 };
    const ports = sweepPorts({ names: Object.keys(offsets), lookup: (name) => expiring(offsets[name])(name) });
    const { run, telemetry } = sweep(ports);
    const summary = await run;
    assert.equal(summary.nearExpiry, 2);
    const reported = telemetry.events(sweepEvents.nearExpiry);
    assert.deepEqual(
      reported.map((event) => event.properties).sort((a, b) => String(a['secretName']).localeCompare(String(b['secretName']))),
      [
        { secretName: 'edge', version: 'v9', enabled: true, expiresOn: new Date(start + 30 * dayMs).toISOString(), expiresInDays: 30, expired: false },
        { secretName: 'soon', version: 'v9', enabled: true, expiresOn: new Date(start + 2.5 * dayMs).toISOString(), expiresInDays: 2, expired: false },
      ],
    );
    assert.ok(reported.every((event) => event.invocation === invocation), 'each report carries the invocation');
  });

  it('a secret expiring at the sweep\'s start or before is reported as expired, with zero or negative days', async () => {
    const offsets: Record<string, number> = { now: 0, past: -1.5 * dayMs, later: 1 };
    const ports = sweepPorts({ names: Object.keys(offsets), lookup: (name) => expiring(offsets[name])(name) });
    const { run, telemetry } = sweep(ports);
    await run;
    const byName = new Map(telemetry.events(sweepEvents.nearExpiry).map((event) => [event.properties['secretName'], event.properties]));
    assert.deepEqual([byName.get('now')?.['expired'], byName.get('now')?.['expiresInDays']], [true, 0]);
    assert.deepEqual([byName.get('past')?.['expired'], byName.get('past')?.['expiresInDays']], [true, -2]);
    assert.deepEqual([byName.get('later')?.['expired'], byName.get('later')?.['expiresInDays']], [false, 0]);
  });

  it('time left is counted from the sweep\'s start, not from when a retried item finally succeeds', async () => {
    // The item's lookup waits out three 20 s Retry-Afters first: the clock moves on by a minute,
    // past the secret's expiry 30 s after the start.
    const ports = sweepPorts({ names: ['late'], lookup: (name, attempt) => (attempt < 4 ? throttled(20_000) : expiring(30_000)(name)) });
    const { run, telemetry, clock } = sweep(ports);
    await run;
    assert.deepEqual(clock.sleeps, [20_000, 20_000, 20_000]);
    assert.deepEqual(telemetry.events(sweepEvents.nearExpiry).map((event) => event.properties['expired']), [false]);
  });

  it('a secret without expiry is reported as such, and is never near expiry', async () => {
    const ports = sweepPorts({ names: ['forever'], lookup: expiring(undefined) });
    const { run, telemetry } = sweep(ports, { expiryWindowMs: Number.MAX_SAFE_INTEGER });
    const summary = await run;
    assert.deepEqual([summary.withoutExpiry, summary.nearExpiry], [1, 0]);
    const [event] = telemetry.events(sweepEvents.noExpiry);
    assert.deepEqual(event?.properties, { secretName: 'forever', version: 'v9', enabled: true });
    assert.equal(event?.invocation, invocation);
    assert.equal(telemetry.events(sweepEvents.nearExpiry).length, 0);
  });

  it('a secret whose upsert failed is not in the expiry report', async () => {
    const ports = sweepPorts({ names: ['a', 'b'], lookup: expiring(dayMs), upsert: (row) => (row.name === 'a' ? rejected() : undefined) });
    const { run, telemetry } = sweep(ports);
    const summary = await run;
    assert.equal(summary.nearExpiry, 1);
    assert.deepEqual(telemetry.events(sweepEvents.nearExpiry).map((event) => event.properties['secretName']), ['b']);
  });
});

describe('inventory sweep: failed items', () => {
  it('a failed item is reported with its name and error code, and the rest go on', async () => {
    const ports = sweepPorts({ names: ['a', 'b', 'c'], lookup: (name) => (name === 'b' ? rejected() : summaryOf(name)) });
    const { run, telemetry, lines } = sweep(ports);
    const summary = await run;
    assert.deepEqual([summary.listed, summary.upserted, summary.failed], [3, 2, 1]);
    assert.deepEqual(summary.failures, [{ name: 'b', errorCode: 'vault_rejected' }]);
    const [exception] = telemetry.exceptions();
    assert.deepEqual(
      { ...exception?.properties, invocation: exception?.invocation },
      { errorCode: 'vault_rejected', dependency: 'key-vault', retryable: false, status: 403, retryAfterMs: undefined, requestId: undefined, secretName: 'b', job: 'inventorySweep', invocation },
    );
    const itemLine = lines.find((line) => line.message.includes('"b"'));
    assert.deepEqual([itemLine?.level, itemLine?.message, itemLine?.properties?.['errorCode']], ['warn', 'Inventory of secret "b" failed; the sweep goes on', 'vault_rejected']);
    const last = lines.at(-1);
    assert.equal(last?.level, 'warn', 'a run with failures ends on a warning');
    assert.equal(last?.message, `Inventory sweep: 3 listed, 2 upserted, 1 failed, 0 near expiry, 0 without expiry, in ${summary.durationMs} ms`);
    assert.deepEqual(last?.properties?.['failures'], [{ name: 'b', errorCode: 'vault_rejected' }]);
  });

  it('an item is retried on the sweep policy: 5 s, 10 s, 20 s without Retry-After, then reported', async () => {
    const ports = sweepPorts({ names: ['flaky', 'fine'], lookup: (name) => (name === 'flaky' ? unavailable() : summaryOf(name)) });
    const { run, clock } = sweep(ports);
    const summary = await run;
    assert.deepEqual(clock.sleeps, [5_000, 10_000, 20_000]);
    assert.equal(ports.lookups.get('flaky'), 4);
    assert.deepEqual(summary.failures, [{ name: 'flaky', errorCode: 'vault_unavailable' }]);
  });

  it('a failed upsert is retried on the same policy as a lookup, and the run\'s own policy wins over the default', async () => {
    let upserts = 0;
    const ports = sweepPorts({ names: ['x'], upsert: () => (++upserts < 3 ? unavailable() : undefined) });
    const { run, clock } = sweep(ports, { retry: { attempts: 3, firstDelayMs: 1_000, maxDelayMs: 1_500, maxRetryAfterMs: 60_000 } });
    const summary = await run;
    assert.deepEqual([summary.upserted, upserts], [1, 3]);
    assert.deepEqual(clock.sleeps, [1_000, 1_500]);
  });

  it('every failure is counted, but the summary lists only the first 20 by default, or maxFailuresListed', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    const failing = (name: string) => (name === 's29' ? summaryOf(name) : rejected());
    const byDefault = await sweep(sweepPorts({ names, lookup: failing })).run;
    assert.equal(byDefault.failed, 29);
    assert.equal(byDefault.failures.length, 20);
    const three = await sweep(sweepPorts({ names, lookup: failing }), { maxFailuresListed: 3 }).run;
    assert.deepEqual(three.failures.map((failure) => failure.name), ['s00', 's01', 's02']);
    const none = await sweep(sweepPorts({ names, lookup: failing }), { maxFailuresListed: 0 }).run;
    assert.deepEqual([none.failed, none.failures], [29, []]);
  });

  it('when every item failed the run fails, saying so, and the error carries the summary', async () => {
    const ports = sweepPorts({ names: ['a', 'b'], lookup: () => rejected() });
    const { run, lines, telemetry } = sweep(ports);
    const error = await run.then(() => assert.fail('the run fails'), (caught: unknown) => caught);
    assert.ok(error instanceof InventorySweepFailed);
    assert.equal(error.name, 'InventorySweepFailed');
    assert.equal(error.message, 'Every one of the 2 inventory items failed');
    assert.equal('cause' in error, false, 'no cause to show: every item was reported as it failed');
    assert.deepEqual([error.summary.failed, error.summary.listingFailed], [2, false]);
    const last = lines.at(-1);
    assert.equal(last?.level, 'error');
    assert.match(last?.message ?? '', /^Inventory sweep: 2 listed, 0 upserted, 2 failed, .*; every item failed$/);
    assert.equal((last?.properties?.['failures'] as unknown[]).length, 2);
    assert.equal(telemetry.events(sweepEvents.completed).length, 1);
  });
});

describe('inventory sweep: the summary', () => {
  it('a clean run logs one info line with the counts and reports the completed event and duration metric', async () => {
    const ports = sweepPorts({ names: ['a', 'b', 'c'], lookup: (name, attempt) => (name === 'c' && attempt === 1 ? throttled(7_000) : summaryOf(name, { expiresOn: name === 'a' ? undefined : new Date(start + dayMs) })) });
    const { run, telemetry, lines } = sweep(ports, { concurrency: 3 });
    const summary = await run;
    assert.equal(summary.durationMs, 7_000, 'the duration is the clock\'s time from start to end');
    assert.deepEqual(summary, { listed: 3, upserted: 3, failed: 0, nearExpiry: 2, withoutExpiry: 1, durationMs: 7_000, listingFailed: false, failures: [] });
    const [completed] = telemetry.events(sweepEvents.completed);
    assert.deepEqual(completed?.properties, { listed: 3, upserted: 3, failed: 0, nearExpiry: 2, withoutExpiry: 1, durationMs: 7_000, listingFailed: false, concurrency: 3 });
    assert.equal(completed?.invocation, invocation);
    const metric = telemetry.items.find((item) => item.kind === 'metric');
    assert.deepEqual([metric?.name, metric?.value, metric?.invocation], ['InventorySweepDurationMs', 7_000, invocation]);
    assert.deepEqual(lines.map((line) => line.level), ['info']);
    assert.equal(lines[0]?.message, 'Inventory sweep: 3 listed, 3 upserted, 0 failed, 2 near expiry, 1 without expiry, in 7000 ms');
    assert.deepEqual(lines[0]?.properties, { listed: 3, upserted: 3, failed: 0, nearExpiry: 2, withoutExpiry: 1, durationMs: 7_000, listingFailed: false });
  });

  it('the event names are stable: dashboards and alerts query them', () => {
    assert.deepEqual(sweepEvents, { completed: 'InventorySweepCompleted', itemFailed: 'InventorySweepItemFailed', nearExpiry: 'SecretNearExpiry', noExpiry: 'SecretWithoutExpiry' });
  });
});

describe('inventory sweep: the listing', () => {
  it('a listing that fails part-way is listed again after Retry-After, and names already seen are not done twice', async () => {
    const ports = sweepPorts({ names: ['a', 'b', 'c', 'd'], failListing: (listing, index) => (listing === 1 && index === 2 ? throttled(9_000) : undefined) });
    const { run, clock, lines } = sweep(ports);
    const summary = await run;
    assert.equal(ports.listings(), 2);
    assert.deepEqual(clock.sleeps, [9_000]);
    assert.deepEqual([summary.listed, summary.upserted], [4, 4]);
    assert.deepEqual(ports.rows.map((row) => row.name).sort(), ['a', 'b', 'c', 'd']);
    assert.deepEqual([...ports.lookups.values()], [1, 1, 1, 1], 'one lookup per secret');
    const retryLine = lines.find((line) => line.message.startsWith('Listing'));
    assert.deepEqual([retryLine?.level, retryLine?.message, retryLine?.properties?.['errorCode']], ['warn', 'Listing the vault failed; waiting and listing again', 'vault_throttled']);
  });

  it('a listing that keeps failing is tried four times, then the run fails after finishing the items already listed', async () => {
    const ports = sweepPorts({ names: ['a', 'b', 'c'], failListing: (_listing, index) => (index === 2 ? unavailable() : undefined) });
    const { run, clock, lines, telemetry } = sweep(ports);
    const error = await run.then(() => assert.fail('the run fails'), (caught: unknown) => caught);
    assert.ok(error instanceof InventorySweepFailed);
    assert.equal(ports.listings(), 4);
    assert.deepEqual(clock.sleeps, [5_000, 10_000, 20_000]);
    assert.equal(error.message, 'Listing the vault\'s secrets failed after 2 items');
    assert.equal((error.cause as DependencyError).code, 'vault_unavailable');
    assert.deepEqual([error.summary.listed, error.summary.upserted, error.summary.listingFailed], [2, 2, true]);
    assert.equal(ports.rows.length, 2, 'items listed before the failure are finished, not abandoned');
    const last = lines.at(-1);
    assert.equal(last?.level, 'error');
    assert.match(last?.message ?? '', /^Inventory sweep: 2 listed, 2 upserted, 0 failed, .*; listing failed$/);
    assert.equal(last?.properties?.['errorCode'], 'vault_unavailable');
    const [exception] = telemetry.exceptions();
    assert.deepEqual([exception?.properties['stage'], exception?.properties['job'], exception?.properties['errorCode'], exception?.invocation], ['list', 'inventorySweep', 'vault_unavailable', invocation]);
    assert.equal(telemetry.events(sweepEvents.completed)[0]?.properties['listingFailed'], true);
  });

  it('a listing refused for good is not retried', async () => {
    const ports = sweepPorts({ names: ['a'], failListing: () => rejected() });
    const { run, clock } = sweep(ports);
    await assert.rejects(run, InventorySweepFailed);
    assert.deepEqual([ports.listings(), clock.sleeps], [1, []]);
  });

  it('reading pages pauses while 4 × concurrency items are in flight', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `s${i}`);
    const ports = sweepPorts({ names });
    let peakAhead = 0;
    const vault: SecretVault = {
      ...ports.vault,
      async *listSecrets() {
        for await (const secret of ports.vault.listSecrets()) {
          // Items read so far (this one included) that are not finished yet.
          peakAhead = Math.max(peakAhead, names.indexOf(secret.name) + 1 - ports.rows.length);
          yield secret;
        }
      },
    };
    const summary = await sweep({ vault, store: ports.store }, { concurrency: 3 }).run;
    assert.equal(summary.upserted, 40);
    assert.equal(peakAhead, 12, 'never more than 4 × 3 items read ahead of the work');
  });
});
