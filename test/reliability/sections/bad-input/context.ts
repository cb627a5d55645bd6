/**
 * What the bad-input rows share: the app as the host loads it (functions/index.js) on the
 * identity and Key Vault emulators, Azurite and PostgreSQL, the queue host that delivers to the
 * real ingestEvents handler, recorded telemetry, and the leak scan every row feeds.
 */
import { fileURLToPath } from 'node:url';
import { signEvent, type UnsignedEvent } from '../../../../src/jobs/ingest-message.js';
import { startAzuriteQueue, type Azurite } from '../../../../src/sandbox/azurite.js';
import { registeredFunction } from '../../../../src/sandbox/host/functions-core-shim.js';
import { QueueHost, queueServiceClient, readHostQueueSettings } from '../../../../src/sandbox/host/queue-host.js';
import { startFunctionsApp, type FunctionsApp } from '../../../support/functions-app.js';
import { startFunctionsStack, type FunctionsStack } from '../../../support/functions-stack.js';
import { startPostgres, type LocalPostgres } from '../../../support/postgres.js';
import { RecordingTelemetry, type RecordedItem } from '../../../support/recording-telemetry.js';
import { VirtualClock } from '../../../support/virtual-clock.js';
import { LeakScan } from '../../checks/leak-scan.js';

const hostJson = fileURLToPath(new URL('../../../../../host.json', import.meta.url));
export const signingKey = `bad-input-key-${crypto.randomUUID()}`;
export const maxMessageBytes = 2048;

export interface BadInputContext {
  stack: FunctionsStack;
  azurite: Azurite;
  postgres: LocalPostgres;
  app: FunctionsApp;
  host: QueueHost;
  telemetry: RecordingTelemetry;
  clock: VirtualClock;
  leaks: LeakScan;
}

export async function startBadInput(): Promise<BadInputContext> {
  const [stack, azurite, postgres] = await Promise.all([startFunctionsStack(), startAzuriteQueue(), startPostgres()]);
  stack.vault.setSecret('ingest-signing-key', signingKey);
  const telemetry = new RecordingTelemetry();
  const clock = new VirtualClock(Date.parse('2030-01-01T12:00:00Z'));
  const leaks = new LeakScan().watchIdentity(stack.identity).watchVault(stack.vault);
  const app = await startFunctionsApp({
    stack,
    postgres,
    appRole: 'func_bad_input',
    telemetry,
    clock,
    settings: { SQL_ENGINE: 'postgres', INGEST_QUEUE_NAME: 'bad-input', INGEST_MAX_MESSAGE_BYTES: String(maxMessageBytes), AzureWebJobsStorage: azurite.connectionString, INVENTORY_SWEEP_CONCURRENCY: '8' },
  });
  const host = new QueueHost({
    serviceClient: queueServiceClient(azurite.connectionString),
    fn: registeredFunction('ingestEvents'),
    settings: readHostQueueSettings(hostJson),
    retryVisibilitySeconds: 0,
    passTime: (ms) => clock.advance(ms),
    onLog: (level, args) => leaks.logHandler(level, ...args),
  });
  await host.createQueues();
  return { stack, azurite, postgres, app, host, telemetry, clock, leaks };
}

export async function stopBadInput(context: BadInputContext): Promise<void> {
  await context.app.shutdown();
  await Promise.all([context.stack.stop(), context.azurite.stop(), context.postgres.stop()]);
}

/** Starts a row on a clean slate: what the last row left goes to the leak scan first. */
export async function freshRow(context: BadInputContext): Promise<void> {
  context.leaks.addTelemetry(context.telemetry.items);
  for (const delivery of context.host.deliveries) if (delivery.error !== undefined) context.leaks.addError(`delivery ${delivery.messageId}`, delivery.error);
  context.telemetry.clear();
  context.host.deliveries.length = 0;
  context.host.releasedWithSeconds.length = 0;
  await context.host.poison.clearMessages();
}

export function signedEvent(id: string, overrides: Partial<UnsignedEvent> = {}): Record<string, unknown> {
  const base: UnsignedEvent = { id, type: 'device.reading', occurredAt: '2030-01-01T10:00:00.000Z', payload: { deviceId: `dev-${id}`, celsius: 21.5 }, ...overrides };
  return { ...base, signature: signEvent(signingKey, base) };
}

/** Sends the body exactly as given (already encoded, or deliberately not), returns the message id. */
export async function sendWire(context: BadInputContext, wire: string): Promise<string> {
  return (await context.host.queue.sendMessage(wire)).messageId;
}

/** The bodies in the poison queue as stored on the wire (not decoded): byte-for-byte what arrived. */
export async function poisonWires(context: BadInputContext): Promise<string[]> {
  const { peekedMessageItems } = await context.host.poison.peekMessages({ numberOfMessages: 32 });
  return peekedMessageItems.map((item) => item.messageText);
}

export async function storedRows(context: BadInputContext, ids: readonly string[]): Promise<{ id: string; payload: unknown }[]> {
  const result = await context.postgres.admin.query<{ id: string; payload: unknown }>('SELECT id, payload FROM ingested_events WHERE id = ANY($1) ORDER BY id', [ids]);
  return result.rows;
}

export function rejections(context: BadInputContext): RecordedItem[] {
  return context.telemetry.events('IngestMessageRejected');
}

export function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}
