/**
 * Azure Storage faults against the queue worker: Azurite stopped while a batch is being processed
 * and started again, and a handler slower than its message's visibility, so a second app instance
 * gets the message too. Azurite here keeps its data in a temporary folder, not in memory, so that
 * messages survive the restart as they survive an outage in Azure Storage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueServiceClient } from '@azure/storage-queue';
import { ingestEvents } from '../../../src/jobs/ingest-events.js';
import { startAzuriteQueue, type Azurite } from '../../../src/sandbox/azurite.js';
import { queueServiceClient } from '../../../src/sandbox/host/queue-host.js';
import { captureResources, type ResourceBaseline } from '../process-hygiene.js';
import { check, section, type MatrixRow } from '../matrix.js';
import { queueOutcome, queueRequests, runQueueRow } from '../support/queue-rows.js';
import { signingKey, signingKeyName } from '../support/queue-worker.js';
import { startServiceStack, type ServiceStack } from '../support/service-stack.js';

interface AzuriteContext {
  /** Live handles before the section started: all of its own must be closed at stop. */
  resources: ResourceBaseline;
  services: ServiceStack;
  /** Replaced when a row restarts Azurite. */
  azurite: Azurite;
  location: string;
  port: number;
  queues: QueueServiceClient;
}

/** A wait on another delivery that must come within this (real) time, or the row fails instead of hanging. */
const redeliveryDeadlineMs = 10_000;

const rows: MatrixRow<AzuriteContext>[] = [
  {
    name: 'down and back',
    async run(context) {
      let outage = 0;
      const result = await runQueueRow(context.services, context.queues, {
        name: 'az-down',
        count: 20,
        leaseSeconds: 1,
        // After the 5th event is stored, storage goes away under the rest of the batch of 16.
        afterEach: async (delivery) => {
          if (delivery === 5) await context.azurite.stop();
        },
        whileStorageDown: async () => {
          outage++;
          context.azurite = await startAzuriteQueue({ location: context.location, queuePort: context.port });
        },
      });
      return {
        injected: 'Azurite stopped mid-batch (20 messages), restarted on the same port and folder',
        outcome: `${queueOutcome(result)}; ${result.settleFailures} deletes failed while down`,
        requests: queueRequests(result, [`${outage} failed poll`, 'lease 1 s']),
        checks: [...result.checks, check('the outage was felt: deletes failed and the host polled again', outage > 0 && result.settleFailures > 0, `${result.settleFailures} deletes failed`)],
      };
    },
  },
  {
    name: 'visibility expires mid-processing',
    async run(context) {
      const seen = new Map<string, () => void>();
      const redelivered = new Map<string, Promise<void>>();
      let firstDelivery: () => void = () => undefined;
      const started = new Promise<void>((resolve) => (firstDelivery = resolve));
      const result = await runQueueRow(context.services, context.queues, {
        name: 'az-lease',
        count: 3,
        instances: 2,
        leaseSeconds: 1,
        // Instance A holds each message past its 1 s lease, until instance B has received it too.
        beforeEach: async (_delivery, messageId) => {
          const release = seen.get(messageId);
          if (release !== undefined) return release();
          redelivered.set(messageId, new Promise<void>((resolve) => seen.set(messageId, resolve)));
          firstDelivery();
          await withDeadline(redelivered.get(messageId) as Promise<void>, `a second delivery of ${messageId}`);
        },
        drive: async ([a, b]) => {
          await Promise.all([a?.drain(), started.then(() => b?.drain())]);
        },
      });
      const stored = result.telemetry.events(ingestEvents.stored).length;
      const duplicates = result.telemetry.events(ingestEvents.duplicate).length;
      return {
        injected: 'handler slower than the 1 s visibility, 2 instances, 3 messages',
        outcome: `each delivered ${result.deliveries.length / 3}×: ${stored} stored, ${duplicates} duplicates ignored; ${result.settleFailures} stale pop receipts`,
        requests: queueRequests(result, ['lease 1 s']),
        checks: [...result.checks, check('every message delivered twice, its effect once', result.deliveries.length === 6 && stored === 3 && duplicates === 3, `${result.deliveries.length} deliveries`)],
      };
    },
  },
];

async function withDeadline(promise: Promise<void>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${redeliveryDeadlineMs} ms`)), redeliveryDeadlineMs)));
  try {
    await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export const azuriteSection = section<AzuriteContext>({
  group: 'azurite',
  async start() {
    const resources = captureResources();
    const location = mkdtempSync(join(tmpdir(), 'rdf-azurite-data-'));
    const [services, azurite] = await Promise.all([startServiceStack(), startAzuriteQueue({ location })]);
    services.stack.vault.setSecret(signingKeyName, signingKey);
    // One try per storage call: a stopped Azurite is reported at once instead of after the SDK's retries.
    return { resources, services, azurite, location, port: Number(new URL(azurite.queueEndpoint).port), queues: queueServiceClient(azurite.connectionString, { tries: 1 }) };
  },
  async stop(context) {
    await Promise.all([context.services.stop(), context.azurite.stop()]);
    rmSync(context.location, { recursive: true, force: true });
    await context.resources.assertClosed('the azurite section');
  },
  rows,
});
