/**
 * Key Vault faults against the timer sweep: a real `SecretClient` (cold per row, so its challenge
 * and gate start fresh) on the emulator, items upserted into a real PostgreSQL, waits on virtual
 * time. Spacing is read from the client's wire log (see support/wire-log.ts).
 */
import { isDependencyError } from '../../../src/clients/errors.js';
import type { KeyVaultFault } from '../../../src/sandbox/keyvault/index.js';
import { InventorySweepFailed, runInventorySweep, type InventorySweepSummary } from '../../../src/jobs/inventory-sweep.js';
import { RecordingTelemetry } from '../../support/recording-telemetry.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { check, section, type Check, type MatrixRow, type RowOutcome } from '../matrix.js';
import { describeGaps, requestSpacingChecks } from '../checks/wire-spacing.js';
import { memoryLog, startServiceStack, type ServiceStack } from '../support/service-stack.js';
import { servicesLeakCheck } from '../support/services-leaks.js';
import { WireLog } from '../support/wire-log.js';
import { captureResources, recordUnhandledRejections, type ResourceBaseline } from '../process-hygiene.js';

const secretNames = Array.from({ length: 12 }, (_, i) => `kv-secret-${String(i).padStart(2, '0')}`);
const start = Date.parse('2030-01-01T02:00:00Z');

interface Sweep {
  summary: InventorySweepSummary;
  runError: string | undefined;
  wire: WireLog;
  rows: Map<string, number>;
  checks: Check[];
  /** Version lookups the client sent for one secret. */
  lookups(name: string): number;
}

interface SweepOptions {
  faults: KeyVaultFault[];
  pageSize?: number;
  requestTimeoutMs?: number;
  /** Faults whose Retry-After is a date on the row's clock. */
  faultsAt?: (now: number) => KeyVaultFault[];
}

async function sweep(services: ServiceStack, options: SweepOptions): Promise<Sweep> {
  const clock = new VirtualClock(start);
  const wire = new WireLog(clock);
  await services.postgres.admin.query('DELETE FROM secret_inventory');
  services.stack.vault.reset();
  services.stack.vault.script(...options.faults, ...(options.faultsAt?.(clock.now()) ?? []));
  const store = services.newStore();
  const unhandled = recordUnhandledRejections();
  const telemetry = new RecordingTelemetry();
  const log = memoryLog();
  let summary: InventorySweepSummary;
  let runError: string | undefined;
  try {
    const vault = services.newVault(clock, wire, { pageSize: options.pageSize, requestTimeoutMs: options.requestTimeoutMs });
    summary = await runInventorySweep({ vault, store, telemetry, log, clock, concurrency: 4, expiryWindowMs: 30 * 86_400_000 });
  } catch (error) {
    if (!(error instanceof InventorySweepFailed)) throw error;
    summary = error.summary;
    runError = isDependencyError(error.cause) ? error.cause.code : 'every item failed';
  } finally {
    await store.close();
  }
  const noUnhandledRejection = unhandled.stop();
  const rows = await services.rowCounts('secret_inventory');
  const duplicates = [...rows].filter(([, n]) => n > 1).length;
  return {
    summary,
    runError,
    wire,
    rows,
    checks: [
      ...requestSpacingChecks(wire.requests),
      check('no duplicate row', duplicates === 0, `${rows.size} rows`),
      noUnhandledRejection,
      servicesLeakCheck(services, { telemetry, logLines: log.lines }),
    ],
    lookups: (name) => wire.requests.filter((r) => r.path === `/secrets/${name}/versions`).length,
  };
}

function outcomeOf(result: Sweep): string {
  const { summary } = result;
  const codes = [...new Set(summary.failures.map((f) => f.errorCode))].join(', ');
  const items = summary.failed === 0 ? `${summary.upserted}/${summary.listed} stored` : `${summary.failed} item${summary.failed === 1 ? '' : 's'} failed (${codes})`;
  return `sweep: ${items}, run ${result.runError === undefined ? 'ok' : `failed: ${result.runError}`}`;
}

function report(injected: string, result: Sweep, checks: Check[], extra = ''): RowOutcome {
  return { injected, outcome: outcomeOf(result), requests: `kv ${result.wire.requests.length}${extra}, ${describeGaps(result.wire.requests)}`, checks: [...checks, ...result.checks] };
}

const everyItemStored = (result: Sweep, expected = secretNames.length): Check =>
  check(`all ${expected} items stored, run ok`, result.summary.upserted === expected && result.rows.size === expected && result.runError === undefined, `${result.rows.size} rows`);

const rows: MatrixRow<ServiceStack>[] = [
  {
    name: '401 challenge',
    async run(services) {
      const result = await sweep(services, { faults: [] });
      const unauthenticated = services.stack.vault.requests.filter((r) => r.auth === 'none').length;
      return report('401 + WWW-Authenticate on a cold client', result, [everyItemStored(result), check('one challenge, then the bearer token on every request', unauthenticated === 1, `${unauthenticated} without token`)], `, ${unauthenticated} challenged`);
    },
  },
  {
    name: '403 forbidden',
    async run(services) {
      const result = await sweep(services, { faults: [{ kind: 'status', status: 403, only: 'versions', secret: 'kv-secret-03' }] });
      return report('403 on one secret', result, [
        check('the item fails as vault_rejected, the rest are stored', result.summary.failures[0]?.errorCode === 'vault_rejected' && result.summary.upserted === 11 && result.runError === undefined),
        check('a 403 is not retried', result.lookups('kv-secret-03') === 1, `${result.lookups('kv-secret-03')} lookups`),
      ]);
    },
  },
  {
    name: '404 deleted secret',
    async run(services) {
      const result = await sweep(services, { faults: [{ kind: 'status', status: 404, only: 'versions', secret: 'kv-secret-05' }] });
      return report('404 on a listed secret (deleted since)', result, [
        check('skipped, not failed: no row, run ok', result.summary.failed === 0 && !result.rows.has('kv-secret-05') && result.summary.upserted === 11 && result.runError === undefined),
        check('a 404 is not retried', result.lookups('kv-secret-05') === 1, `${result.lookups('kv-secret-05')} lookups`),
      ]);
    },
  },
  {
    name: '429 Retry-After seconds',
    async run(services) {
      const result = await sweep(services, { faults: [{ kind: 'status', status: 429, retryAfter: '7', only: 'versions', secret: 'kv-secret-02' }] });
      return report('429, Retry-After: 7', result, [everyItemStored(result)]);
    },
  },
  {
    name: '429 Retry-After date',
    async run(services) {
      const result = await sweep(services, { faults: [], faultsAt: (now) => [{ kind: 'status', status: 429, retryAfter: new Date(now + 9_000).toUTCString(), only: 'versions', secret: 'kv-secret-02' }] });
      return report('429, Retry-After: <date +9 s>', result, [everyItemStored(result)]);
    },
  },
  {
    name: '5xx without Retry-After',
    async run(services) {
      const faults: KeyVaultFault[] = [
        { kind: 'status', status: 503, only: 'versions', secret: 'kv-secret-04' },
        { kind: 'status', status: 500, only: 'versions', secret: 'kv-secret-04' },
      ];
      const result = await sweep(services, { faults });
      return report('503 then 500 on one secret', result, [everyItemStored(result), check('retried until it succeeds', result.lookups('kv-secret-04') === 3, `${result.lookups('kv-secret-04')} lookups`)]);
    },
  },
  {
    name: 'hang',
    async run(services) {
      // Real time, kept short: a busy CI machine still answers a local request well within 1 s.
      const result = await sweep(services, { faults: [{ kind: 'delay', ms: 2_500, only: 'versions', secret: 'kv-secret-06' }], requestTimeoutMs: 1_000 });
      return report('no answer for 2.5 s (client timeout 1 s)', result, [everyItemStored(result), check('the hung request timed out and was retried', result.lookups('kv-secret-06') === 2, `${result.lookups('kv-secret-06')} lookups`)]);
    },
  },
  {
    name: 'paging cut mid-list',
    async run(services) {
      // The first list page passes (a zero delay uses the fault up), the second is cut.
      const result = await sweep(services, { faults: [{ kind: 'delay', ms: 0, only: 'list' }, { kind: 'reset', only: 'list' }], pageSize: 5 });
      const lookedUpTwice = secretNames.filter((name) => result.lookups(name) > 1);
      return report('connection reset on list page 2 of 3', result, [everyItemStored(result), check('listing restarts; each secret looked up once', lookedUpTwice.length === 0, lookedUpTwice.length === 0 ? undefined : `twice: ${lookedUpTwice.join(', ')}`)]);
    },
  },
];

export const keyVaultSection = section<ServiceStack & { resources: ResourceBaseline }>({
  group: 'key-vault',
  async start() {
    const resources = captureResources();
    const services = await startServiceStack();
    for (const name of secretNames) services.stack.vault.setSecret(name, `value-of-${name}`, { expiresOn: new Date(start + 90 * 86_400_000) });
    return { ...services, resources };
  },
  async stop(context) {
    await context.stop();
    await context.resources.assertClosed('the key-vault section');
  },
  rows,
});
