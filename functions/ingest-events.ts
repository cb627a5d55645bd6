/**
 * `ingestEvents`: a storage-queue trigger on INGEST_QUEUE_NAME over the `AzureWebJobsStorage`
 * connection (identity-based in Azure: `AzureWebJobsStorage__queueServiceUri`). Batch size,
 * `maxDequeueCount` and visibility timeout live in host.json. Bad input is written to
 * `<queue>-poison` through an output binding and the invocation succeeds, so the host deletes it
 * instead of retrying it; transient failures throw and the host retries, then poisons.
 */
import functions from '@azure/functions';
import type { InvocationContext } from '@azure/functions';
import { invocationInfoFrom, runInInvocation } from '../src/invocation.js';
import { ingestMessage } from '../src/jobs/ingest-events.js';
import { getAppSettings } from '../src/settings/app-settings.js';
import { contextLog } from './context-log.js';
import { getServices } from './services.js';

const queueName = getAppSettings().ingest.queueName;

export const poisonQueueOutput = functions.output.storageQueue({ queueName: `${queueName}-poison`, connection: 'AzureWebJobsStorage' });

/** The message text as enqueued: the host passes it as `triggerMetadata.queueTrigger`. */
function messageText(message: unknown, metadata: Record<string, unknown>): string {
  if (typeof metadata.queueTrigger === 'string') return metadata.queueTrigger;
  return typeof message === 'string' ? message : JSON.stringify(message);
}

export async function ingestEvents(message: unknown, context: InvocationContext): Promise<void> {
  const metadata = context.triggerMetadata ?? {};
  const text = messageText(message, metadata);
  const queueMessage = {
    body: message,
    text,
    id: typeof metadata.id === 'string' ? metadata.id : 'unknown',
    dequeueCount: Number(metadata.dequeueCount ?? 0),
  };
  const invocation = invocationInfoFrom(context);
  const outcome = await runInInvocation(invocation, async () => {
    const { store, signingKey, telemetry, settings } = await getServices();
    return ingestMessage(queueMessage, { store, signingKey, telemetry, log: contextLog(context), maxMessageBytes: settings.ingest.maxMessageBytes, invocation });
  });
  // Never retried as if transient: the body goes to the poison queue unchanged, now.
  if (outcome.status === 'rejected') context.extraOutputs.set(poisonQueueOutput, text);
}

functions.app.storageQueue('ingestEvents', {
  queueName,
  connection: 'AzureWebJobsStorage',
  extraOutputs: [poisonQueueOutput],
  handler: ingestEvents,
});
