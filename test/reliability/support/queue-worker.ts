/**
 * The queue worker as the matrix drives it: the product's `ingestMessage` on this section's own
 * store and signing key, wrapped the way functions/ingest-events.ts wraps it (message text from
 * `triggerMetadata.queueTrigger`, rejected input to the poison output), with the same bindings.
 * functions/ builds its services once per process from app settings; sections need their own.
 */
import type { InvocationContext } from '@azure/functions';
import type { Store } from '../../../src/clients/store.js';
import type { CachedSecret } from '../../../src/jobs/cached-secret.js';
import { ingestMessage } from '../../../src/jobs/ingest-events.js';
import { signEvent } from '../../../src/jobs/ingest-message.js';
import type { RegisteredFunction } from '../../../src/sandbox/host/functions-core-shim.js';
import type { Telemetry } from '../../../src/telemetry/telemetry.js';
import { memoryLog } from './service-stack.js';
import type { SentMessage } from '../checks/message-accounting.js';

export const signingKeyName = 'ingest-signing-key';
export const signingKey = 'reliability-signing-key-0123456789abcdef';

export interface WorkerDeps {
  store: Store;
  signingKey: CachedSecret;
  telemetry: Telemetry;
  /** Runs before the product sees each delivery (a row's fault trigger): the count of deliveries so far and the message id. */
  beforeEach?: DeliveryHook;
  /** Runs after the product finished with a delivery, before the host settles the message. */
  afterEach?: DeliveryHook;
  /** Shared by every instance of the worker, so hooks count deliveries across instances. */
  counter?: { deliveries: number };
}

export type DeliveryHook = (delivery: number, messageId: string) => Promise<void>;

export function ingestWorker(queueName: string, deps: WorkerDeps): RegisteredFunction {
  const counter = deps.counter ?? { deliveries: 0 };
  return {
    name: 'ingestEvents',
    bindings: {
      message: { type: 'queueTrigger', direction: 'in', queueName, connection: 'AzureWebJobsStorage' },
      poison: { type: 'queue', direction: 'out', queueName: `${queueName}-poison`, connection: 'AzureWebJobsStorage' },
    },
    async handler(message: unknown, context: unknown) {
      const delivery = ++counter.deliveries;
      const invocation = context as InvocationContext;
      const metadata = invocation.triggerMetadata ?? {};
      const messageId = String(metadata.id);
      const text = typeof metadata.queueTrigger === 'string' ? metadata.queueTrigger : JSON.stringify(message);
      await deps.beforeEach?.(delivery, messageId);
      const outcome = await ingestMessage(
        { body: message, text, id: messageId, dequeueCount: Number(metadata.dequeueCount ?? 0) },
        { store: deps.store, signingKey: deps.signingKey, telemetry: deps.telemetry, log: memoryLog(), maxMessageBytes: 64 * 1024 },
      );
      await deps.afterEach?.(delivery, messageId);
      if (outcome.status === 'rejected') invocation.extraOutputs.set('poison', text);
    },
  };
}

/** `count` signed events with ids `<prefix>-0000…`, as the message texts to enqueue. */
export function signedMessages(prefix: string, count: number): SentMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const eventId = `${prefix}-${String(i).padStart(4, '0')}`;
    const base = { id: eventId, type: 'device.reading', occurredAt: '2030-01-01T10:00:00.000Z', payload: { deviceId: `dev-${i % 5}`, celsius: 20 + (i % 7) } };
    return { eventId, text: JSON.stringify({ ...base, signature: signEvent(signingKey, base) }) };
  });
}
