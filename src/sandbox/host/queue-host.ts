/**
 * Delivers Azurite queue messages to a registered queue-trigger handler the way the Functions
 * host's queue listener does: batches of `batchSize`, base64 decoding (`messageEncoding`), JSON
 * text handed over parsed, `triggerMetadata` (id, dequeueCount, queueTrigger, …), a real
 * InvocationContext; on success the queue output bindings are written and the message deleted;
 * on failure the message is made visible again after `visibilityTimeout`, and once its
 * `dequeueCount` reaches `maxDequeueCount` it is copied, body intact, to `<queue>-poison`.
 * Settings come from host.json.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import functions from '@azure/functions';
import type { InvocationContext } from '@azure/functions';
import { QueueServiceClient, type DequeuedMessageItem, type QueueClient } from '@azure/storage-queue';
import { triggerBinding, type RegisteredFunction } from './functions-core-shim.js';

export interface HostQueueSettings {
  batchSize: number;
  /** How long the host waits before polling again when the queue looked empty (host.json maxPollingInterval). */
  maxPollingIntervalMs: number;
  maxDequeueCount: number;
  visibilityTimeoutSeconds: number;
  messageEncoding: 'base64' | 'none';
}

/** host.json `extensions.queues`, with the host's defaults for what it leaves out. */
export function readHostQueueSettings(hostJsonPath: string): HostQueueSettings {
  const host = JSON.parse(readFileSync(hostJsonPath, 'utf8')) as { extensions?: { queues?: Record<string, unknown> } };
  const queues = host.extensions?.queues ?? {};
  const visibility = typeof queues.visibilityTimeout === 'string' ? queues.visibilityTimeout : '00:00:00';
  const timespan = visibility.split(':').map(Number);
  const [hours = 0, minutes = 0, seconds = 0] = timespan;
  const [pollH = 0, pollM = 0, pollS = 1] = (typeof queues.maxPollingInterval === 'string' ? queues.maxPollingInterval : '00:00:01').split(':').map(Number);
  return {
    batchSize: Number(queues.batchSize ?? 16),
    maxPollingIntervalMs: (pollH * 3600 + pollM * 60 + pollS) * 1000,
    maxDequeueCount: Number(queues.maxDequeueCount ?? 5),
    visibilityTimeoutSeconds: hours * 3600 + minutes * 60 + seconds,
    messageEncoding: queues.messageEncoding === 'none' ? 'none' : 'base64',
  };
}

/** What the host hands the handler for a message text: the parsed object when the text is a JSON object or array, else the text. */
export function handlerBody(text: string): unknown {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) return parsed;
  } catch {
    // not JSON: the handler gets the text
  }
  return text;
}

export interface Delivery {
  messageId: string;
  dequeueCount: number;
  outcome: 'succeeded' | 'failed' | 'poisoned';
  error?: unknown;
  /** Why the host poisoned it without running the function: the body was not base64. */
  reason?: 'not_base64';
}

/**
 * Base64 as .NET's Convert.FromBase64String takes it (what the host decodes with): the standard
 * alphabet, padding only at the end, whitespace ignored, whole quads. Node's decoder skips what it
 * does not understand instead, which would hand the function a garbled body the host never would.
 */
export function isStrictBase64(wire: string): boolean {
  const compact = wire.replace(/[\t\n\r ]/g, '');
  return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
}

export interface QueueHostOptions {
  serviceClient: QueueServiceClient;
  fn: RegisteredFunction;
  settings: HostQueueSettings;
  /**
   * Seconds a failed message stays invisible. Defaults to host.json's value; tests pass 0 so a
   * retry is visible at once (Azurite keeps real time), and assert `releasedWithSeconds` instead.
   */
  retryVisibilitySeconds?: number;
  /** Log lines the handler wrote through the InvocationContext. */
  onLog?: (level: string, args: unknown[]) => void;
  /**
   * Retries are made visible at once, so virtual time must move as far as the host would have
   * waited: called with the visibility timeout (ms) after each batch that released a message.
   */
  passTime?: (ms: number) => void | Promise<void>;
  /**
   * Seconds a received message stays invisible while its handler runs (default 60). The real host
   * renews it; a shorter fixed lease lets a test have it lapse mid-processing, or bring a message
   * whose settlement failed back quickly.
   */
  leaseSeconds?: number;
  /**
   * Called when a poll fails because storage cannot be reached (the host then polls again, as its
   * listener does after a back-off); the test may bring storage back here. Default: rethrow.
   */
  whileStorageDown?: (error: unknown) => void | Promise<void>;
}

/**
 * Settling a message that is gone or was received again elsewhere (its pop receipt changed) is
 * not an error for the host: the WebJobs queue processor ignores 404 and 400 PopReceiptMismatch.
 */
function alreadySettledElsewhere(error: unknown): boolean {
  const { statusCode, code } = error as { statusCode?: number; code?: string };
  return statusCode === 404 || (statusCode === 400 && code === 'PopReceiptMismatch');
}

export class QueueHost {
  readonly deliveries: Delivery[] = [];
  /** The visibility timeout the host would apply to each failed message (from host.json). */
  readonly releasedWithSeconds: number[] = [];
  /** Deletes and releases that failed (storage down, or settled elsewhere): the message comes back after its lease. */
  readonly settleFailures: { messageId: string; error: unknown }[] = [];
  readonly queue: QueueClient;
  readonly poison: QueueClient;
  private readonly outputs: { name: string; queue: QueueClient }[];

  constructor(private readonly options: QueueHostOptions) {
    const trigger = triggerBinding(options.fn);
    if (trigger.type !== 'queueTrigger' || typeof trigger.queueName !== 'string') throw new Error(`${options.fn.name} is not a queue trigger`);
    this.queue = options.serviceClient.getQueueClient(trigger.queueName);
    this.poison = options.serviceClient.getQueueClient(`${trigger.queueName}-poison`);
    this.outputs = Object.entries(options.fn.bindings)
      .filter(([, binding]) => binding.direction === 'out' && binding.type === 'queue' && typeof binding.queueName === 'string')
      .map(([name, binding]) => ({ name, queue: options.serviceClient.getQueueClient(String(binding.queueName)) }));
  }

  async createQueues(): Promise<void> {
    await Promise.all([this.queue.createIfNotExists(), this.poison.createIfNotExists(), ...this.outputs.map((o) => o.queue.createIfNotExists())]);
  }

  encode(text: string): string {
    return this.options.settings.messageEncoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text;
  }

  decode(wire: string): string {
    return this.options.settings.messageEncoding === 'base64' ? Buffer.from(wire, 'base64').toString('utf8') : wire;
  }

  async enqueue(text: string): Promise<string> {
    return (await this.queue.sendMessage(this.encode(text))).messageId;
  }

  /** Polls until the queue is empty, processing each batch concurrently as the host does. */
  async drain(maxBatches = 10_000): Promise<void> {
    let storageFailures = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      let receivedMessageItems: DequeuedMessageItem[];
      let approximateMessagesCount = 0;
      try {
        ({ receivedMessageItems } = await this.queue.receiveMessages({ numberOfMessages: Math.min(32, this.options.settings.batchSize), visibilityTimeout: this.options.leaseSeconds ?? 60 }));
        if (receivedMessageItems.length === 0) ({ approximateMessagesCount = 0 } = await this.queue.getProperties());
        storageFailures = 0;
      } catch (error) {
        if (this.options.whileStorageDown === undefined || alreadySettledElsewhere(error) || ++storageFailures > 10) throw error;
        await this.options.whileStorageDown(error);
        continue;
      }
      if (receivedMessageItems.length === 0) {
        if (approximateMessagesCount === 0) return;
        // Messages are waiting out their visibility timeout: poll again later, as the host does.
        await new Promise((resolve) => setTimeout(resolve, Math.min(this.options.settings.maxPollingIntervalMs, 1_000)));
        continue;
      }
      const releasedBefore = this.releasedWithSeconds.length;
      await Promise.all(receivedMessageItems.map((message) => this.process(message)));
      if (this.releasedWithSeconds.length > releasedBefore) await this.options.passTime?.(this.options.settings.visibilityTimeoutSeconds * 1000);
    }
    throw new Error('The queue did not drain');
  }

  private async moveToPoison(message: DequeuedMessageItem): Promise<void> {
    await this.poison.sendMessage(message.messageText);
    await this.settle(message, () => this.queue.deleteMessage(message.messageId, message.popReceipt));
  }

  /** A delete or release that fails leaves the message to reappear when its lease ends, as in the host. */
  private async settle(message: DequeuedMessageItem, operation: () => Promise<unknown>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      if (!alreadySettledElsewhere(error) && this.options.whileStorageDown === undefined) throw error;
      this.settleFailures.push({ messageId: message.messageId, error });
    }
  }

  private async process(message: DequeuedMessageItem): Promise<void> {
    const { maxDequeueCount } = this.options.settings;
    if (message.dequeueCount > maxDequeueCount) {
      await this.moveToPoison(message);
      this.deliveries.push({ messageId: message.messageId, dequeueCount: message.dequeueCount, outcome: 'poisoned' });
      return;
    }
    if (this.options.settings.messageEncoding === 'base64' && !isStrictBase64(message.messageText)) {
      // The Storage Queues extension (5.x) poisons an undecodable message at once, without running the function.
      this.options.onLog?.('warning', [`Message ${message.messageId} is not valid base64; moved to ${this.poison.name} without running ${this.options.fn.name}`]);
      await this.moveToPoison(message);
      this.deliveries.push({ messageId: message.messageId, dequeueCount: message.dequeueCount, outcome: 'poisoned', reason: 'not_base64' });
      return;
    }
    const text = this.decode(message.messageText);
    const body = handlerBody(text);
    const context = new functions.InvocationContext({
      invocationId: randomUUID(),
      functionName: this.options.fn.name,
      traceContext: { traceParent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`, traceState: '', attributes: {} },
      triggerMetadata: {
        id: message.messageId,
        dequeueCount: message.dequeueCount,
        queueTrigger: text,
        popReceipt: message.popReceipt,
        insertionTime: message.insertedOn.toISOString(),
        expirationTime: message.expiresOn.toISOString(),
        nextVisibleTime: message.nextVisibleOn.toISOString(),
      },
      logHandler: (level, ...args) => this.options.onLog?.(level, args),
    });
    try {
      await this.options.fn.handler(body, context);
    } catch (error) {
      this.deliveries.push({ messageId: message.messageId, dequeueCount: message.dequeueCount, outcome: 'failed', error });
      if (message.dequeueCount >= maxDequeueCount) {
        await this.moveToPoison(message);
        this.deliveries.push({ messageId: message.messageId, dequeueCount: message.dequeueCount, outcome: 'poisoned' });
        return;
      }
      this.releasedWithSeconds.push(this.options.settings.visibilityTimeoutSeconds);
      await this.settle(message, () => this.queue.updateMessage(message.messageId, message.popReceipt, undefined, this.options.retryVisibilitySeconds ?? this.options.settings.visibilityTimeoutSeconds));
      return;
    }
    await this.writeOutputs(context);
    await this.settle(message, () => this.queue.deleteMessage(message.messageId, message.popReceipt));
    this.deliveries.push({ messageId: message.messageId, dequeueCount: message.dequeueCount, outcome: 'succeeded' });
  }

  private async writeOutputs(context: InvocationContext): Promise<void> {
    for (const output of this.outputs) {
      const value: unknown = context.extraOutputs.get(output.name);
      if (value === undefined || value === null) continue;
      const items = Array.isArray(value) ? (value as unknown[]) : [value];
      for (const item of items) {
        await output.queue.sendMessage(this.encode(typeof item === 'string' ? item : JSON.stringify(item)));
      }
    }
  }

  /** Decoded bodies currently in the poison queue (peek, at most 32). */
  async poisonBodies(): Promise<string[]> {
    const { peekedMessageItems } = await this.poison.peekMessages({ numberOfMessages: 32 });
    return peekedMessageItems.map((item) => this.decode(item.messageText));
  }
}

/** `tries: 1` for a test that stops storage: no SDK retries stretching each failed call over seconds. */
export function queueServiceClient(connectionString: string, options: { tries?: number } = {}): QueueServiceClient {
  return QueueServiceClient.fromConnectionString(connectionString, options.tries === undefined ? undefined : { retryOptions: { maxTries: options.tries } });
}
