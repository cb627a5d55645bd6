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
import { messageAccountingChecks, type SentMessage } from '../checks/message-accounting.js';
import { describeGaps, quietWithoutRetryAfterMs, requestSpacingChecks } from '../checks/request-spacing.js';
import { ingestWorker, signedMessages, signingKeyName } from './queue-worker.js';
import type { ServiceStack } from './service-stack.js';
import { watchUnhandledRejections } from './unhandled.js';
import { WireLog } from './wire-log.js';

const hostJson = fileURLToPath(new URL('../../../../host.json', import.meta.url));

export interface QueueRowOptions {
  /** Queue name and event id prefix, unique per row. */
  name: string;
  count: number;
  beforeEach?: (delivery: number) => Promise<void>;
  afterEach?: (delivery: number) => Promise<void>;
  /** Runs while released messages wait out their visibility timeout (an outage ends, say). */
  whileMessagesWait?: () => Promise<void>;
  /** Messages enqueued before the first delivery (the worker may be down). */
  beforeDrain?: () => Promise<void>;
}

export interface QueueRowResult {
  sent: SentMessage[];
  deliveries: Delivery[];
  /** Visibility timeouts (s) the host applied to failed deliveries. */
  released: number[];
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
  const store = services.newStore();
  const signingKey = new CachedSecret(services.newVault(clock, wire), signingKeyName, clock, 300_000);
  const host = new QueueHost({
    serviceClient,
    fn: ingestWorker(options.name, { store, signingKey, telemetry, beforeEach: options.beforeEach, afterEach: options.afterEach }),
    settings: readHostQueueSettings(hostJson),
    // Azurite keeps real time: a released message is visible at once and virtual time moves by the host's timeout.
    retryVisibilitySeconds: 0,
    passTime: async (ms) => {
      clock.advance(ms);
      await options.whileMessagesWait?.();
    },
  });
  const sent = signedMessages(options.name, options.count);
  const unhandled = watchUnhandledRejections();
  try {
    await host.createQueues();
    for (const message of sent) await host.enqueue(message.text);
    await options.beforeDrain?.();
    await host.drain();
  } finally {
    await store.close();
  }
  const rejections = unhandled.stop();
  const rows = await services.rowCounts('ingested_events');
  const ledger = { rows: new Map(sent.map((m) => [m.eventId, rows.get(m.eventId) ?? 0])), poisonBodies: await host.poisonBodies() };
  const codes = new Map<string, number>();
  for (const d of host.deliveries.filter((d) => d.outcome === 'failed')) {
    const code = String((d.error as { code?: unknown } | undefined)?.code ?? 'unexpected');
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  const soonest = Math.min(...host.releasedWithSeconds);
  return {
    sent,
    deliveries: host.deliveries,
    released: host.releasedWithSeconds,
    telemetry,
    wire,
    failures: [...codes].map(([code, n]) => `${code} ×${n}`).join(', '),
    checks: [
      ...messageAccountingChecks(sent, ledger),
      ...requestSpacingChecks(wire.requests),
      check('a failed message is retried no sooner than 5 s', host.releasedWithSeconds.every((s) => s * 1000 >= quietWithoutRetryAfterMs), host.releasedWithSeconds.length === 0 ? 'none retried' : `after ${soonest} s`),
      check('no unhandled rejection', rejections.length === 0, rejections.length === 0 ? undefined : String(rejections[0])),
    ],
  };
}

/** "10 stored at once" / "10 failed once (sql_unavailable ×10), then stored". */
export function queueOutcome(result: QueueRowResult): string {
  const succeeded = result.deliveries.filter((d) => d.outcome === 'succeeded');
  const poisoned = result.deliveries.filter((d) => d.outcome === 'poisoned').length;
  const retried = new Set(result.deliveries.filter((d) => d.outcome === 'failed').map((d) => d.messageId)).size;
  const maxTries = Math.max(0, ...succeeded.map((d) => d.dequeueCount));
  const parts = [`${result.sent.length} messages`, retried === 0 ? 'stored at first delivery' : `${retried} retried (${result.failures}), stored by delivery ${maxTries}`];
  if (poisoned > 0) parts.push(`${poisoned} poisoned`);
  return parts.join(': ');
}

export function queueRequests(result: QueueRowResult, extra: string[] = []): string {
  return [`kv ${result.wire.requests.length}`, ...extra, result.released.length === 0 ? 'no redelivery' : `redelivered after ${Math.min(...result.released)} s`, describeGaps(result.wire.requests)].filter((part) => part !== 'no failure').join(', ');
}
