/**
 * One queue row end to end: signed messages into an Azurite queue of the row's own, delivered by
 * the sandbox host (host.json's rules) to the worker on a fresh pool and a cold signing-key cache,
 * then the ledger (rows, poison queue) and the rules every queue row checks.
 */
import { fileURLToPath } from 'node:url';
import { CachedSecret } from '../../../src/jobs/cached-secret.js';
import { QueueHost, readHostQueueSettings, type Delivery } from '../../../src/sandbox/host/queue-host.js';
import type { QueueServiceClient } from '@azure/storage-queue';
import { RecordingTelemetry } from '../../support/recording-telemetry.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { check, type Check } from '../matrix.js';
import { accountMessages, messageAccountingChecks, type Accounting, type SentMessage } from '../checks/message-accounting.js';
import { servicesLeakCheck } from './services-leaks.js';
import { minFailureGapMs } from '../checks/request-spacing.js';
import { describeGaps, requestSpacingChecks } from '../checks/wire-spacing.js';
import { ingestWorker, signedMessages, signingKeyName, type DeliveryHook } from './queue-worker.js';
import type { ServiceStack } from './service-stack.js';
import { recordUnhandledRejections } from '../process-hygiene.js';
import { WireLog } from './wire-log.js';

const hostJson = fileURLToPath(new URL('../../../../host.json', import.meta.url));

export interface QueueRowOptions {
  /** Queue name and event id prefix, unique per row. */
  name: string;
  count: number;
  beforeEach?: DeliveryHook;
  afterEach?: DeliveryHook;
  /** App instances polling the queue, each with its own pool and key cache (default 1). */
  instances?: number;
  /** Drives the hosts; default: the first one drains the queue. */
  drive?: (hosts: QueueHost[]) => Promise<void>;
  leaseSeconds?: number;
  /** Passed to the hosts: storage could not be reached on a poll. */
  whileStorageDown?: (error: unknown) => Promise<void>;
  /** Runs while released messages wait out their visibility timeout (an outage ends, say). */
  whileMessagesWait?: () => Promise<void>;
}

export interface QueueRowResult {
  sent: SentMessage[];
  deliveries: Delivery[];
  /** Visibility timeouts (s) the host applied to failed deliveries. */
  released: number[];
  /** Deletes or releases that failed and left the message to come back after its lease. */
  settleFailures: number;
  accounting: Accounting;
  telemetry: RecordingTelemetry;
  wire: WireLog;
  checks: Check[];
  /** Error codes of failed deliveries, counted: "sql_unavailable ×7". */
  failures: string;
}

export async function runQueueRow(services: ServiceStack, serviceClient: QueueServiceClient, options: QueueRowOptions): Promise<QueueRowResult> {
  const clock = new VirtualClock(Date.parse('2030-01-01T12:00:00Z'));
  const wire = new WireLog(clock);
  const telemetry = new RecordingTelemetry();
  const counter = { deliveries: 0 };
  const stores = Array.from({ length: options.instances ?? 1 }, () => services.newStore());
  const hosts = stores.map(
    (store) =>
      new QueueHost({
        serviceClient,
        fn: ingestWorker(options.name, { store, signingKey: new CachedSecret(services.newVault(clock, wire), signingKeyName, clock, 300_000), telemetry, beforeEach: options.beforeEach, afterEach: options.afterEach, counter }),
        settings: readHostQueueSettings(hostJson),
        // Azurite keeps real time: a released message is visible at once and virtual time moves by the host's timeout.
        retryVisibilitySeconds: 0,
        leaseSeconds: options.leaseSeconds,
        whileStorageDown: options.whileStorageDown,
        passTime: async (ms) => {
          clock.advance(ms);
          await options.whileMessagesWait?.();
        },
      }),
  );
  const [host] = hosts as [QueueHost];
  const sent = signedMessages(options.name, options.count);
  const unhandled = recordUnhandledRejections();
  try {
    await host.createQueues();
    for (const message of sent) await host.enqueue(message.text);
    await (options.drive ?? ((all: QueueHost[]) => (all[0] as QueueHost).drain()))(hosts);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
  const noUnhandledRejection = unhandled.stop();
  const deliveries = hosts.flatMap((h) => h.deliveries);
  const released = hosts.flatMap((h) => h.releasedWithSeconds);
  const rows = await services.rowCounts('ingested_events');
  const ledger = { rows: new Map(sent.map((m) => [m.eventId, rows.get(m.eventId) ?? 0])), poisonBodies: await host.poisonBodies() };
  const codes = new Map<string, number>();
  for (const d of deliveries.filter((d) => d.outcome === 'failed')) {
    const raw = (d.error as { code?: unknown } | undefined)?.code;
    const code = typeof raw === 'string' ? raw : 'unexpected';
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  const soonest = Math.min(...released);
  return {
    sent,
    deliveries,
    released,
    accounting: accountMessages(sent, ledger),
    settleFailures: hosts.reduce((n, h) => n + h.settleFailures.length, 0),
    telemetry,
    wire,
    failures: [...codes].map(([code, n]) => `${code} ×${n}`).join(', '),
    checks: [
      ...messageAccountingChecks(sent, ledger),
      ...requestSpacingChecks(wire.requests),
      check('a failed message is retried no sooner than 5 s', released.every((s) => s * 1000 >= minFailureGapMs), released.length === 0 ? 'none retried' : `after ${soonest} s`),
      noUnhandledRejection,
      servicesLeakCheck(services, { telemetry, errors: deliveries.flatMap((d) => (d.error === undefined ? [] : [d.error])) }),
    ],
  };
}

/** "10 messages: 10 failed first (sql_unavailable ×10), 10 stored". */
export function queueOutcome(result: QueueRowResult): string {
  const perMessage = new Map<string, number>();
  for (const d of result.deliveries) if (d.outcome !== 'poisoned') perMessage.set(d.messageId, (perMessage.get(d.messageId) ?? 0) + 1);
  const failed = new Set(result.deliveries.filter((d) => d.outcome === 'failed').map((d) => d.messageId));
  const again = [...perMessage].filter(([id, n]) => n > 1 && !failed.has(id)).length;
  const { stored, poisoned } = result.accounting;
  const parts = [failed.size > 0 ? `${failed.size} failed first (${result.failures})` : '', again > 0 ? `${again} delivered again` : '', `${stored} stored`, poisoned > 0 ? `${poisoned} poisoned` : ''];
  return `${result.sent.length} messages: ${parts.filter(Boolean).join(', ')}`;
}

export function queueRequests(result: QueueRowResult, extra: string[] = []): string {
  const retries = result.released.length === 0 ? '' : `retried after ${Math.min(...result.released)} s`;
  return [`kv ${result.wire.requests.length}`, ...extra, retries, describeGaps(result.wire.requests)].filter((part) => part !== '' && part !== 'no failure').join(', ');
}
