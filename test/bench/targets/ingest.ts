/**
 * Target: the `ingestEvents` function draining N signed messages from Azurite through the queue
 * host harness (src/sandbox/host/queue-host.ts: batches of host.json's batchSize, base64, delete on
 * success), with the signing key from the Key Vault emulator and inserts into PostgreSQL. Every
 * queue receive and delete, vault read and insert is timed; the HMAC check is timed apart, over
 * the same messages, because the job calls it inside one function.
 *
 *   node ingest.js --messages 2000
 */
import { fileURLToPath } from 'node:url';
import { hasValidSignature, signEvent, type SignedEvent } from '../../../src/jobs/ingest-message.js';
import { QueueHost, queueServiceClient, readHostQueueSettings } from '../../../src/sandbox/host/queue-host.js';
import { mean } from '../stats.js';
import { bootFunctionsApp, timeMethod } from './app-harness.js';
import { numberArg, parseArgs, runTarget } from './kit.js';

const hostJson = fileURLToPath(new URL('../../../../host.json', import.meta.url));

function signedEvents(count: number, key: string): SignedEvent[] {
  const run = Date.now().toString(36);
  return Array.from({ length: count }, (_, i) => {
    const event = { id: `bench-${run}-${i}`, type: 'device.reading', occurredAt: '2030-01-01T10:00:00.000Z', payload: { deviceId: `dev-${i % 50}`, celsius: 20 + (i % 10) } };
    return { ...event, signature: signEvent(key, event) };
  });
}

function hmacMsPerMessage(events: readonly SignedEvent[], key: string): number {
  const started = process.hrtime.bigint();
  for (const event of events) if (!hasValidSignature(key, event)) throw new Error('bad signature');
  return Number(process.hrtime.bigint() - started) / 1e6 / events.length;
}

runTarget(async () => {
  const args = parseArgs();
  const count = numberArg(args, 'messages', 2000);
  const key = process.env.BENCH_SIGNING_KEY ?? '';
  const app = await bootFunctionsApp();
  const settings = readHostQueueSettings(hostJson);
  const host = new QueueHost({ serviceClient: queueServiceClient(process.env.AzureWebJobsStorage ?? ''), fn: app.fn('ingestEvents'), settings });
  await host.createQueues();
  await host.queue.clearMessages();
  const events = signedEvents(count, key);
  for (let first = 0; first < events.length; first += 64) {
    await Promise.all(events.slice(first, first + 64).map((event) => host.enqueue(JSON.stringify(event))));
  }
  const times = { receive: [] as number[], remove: [] as number[], vault: [] as number[], insert: [] as number[] };
  timeMethod(host.queue, 'receiveMessages', times.receive);
  timeMethod(host.queue, 'deleteMessage', times.remove);
  timeMethod(app.services.vault, 'getSecretValue', times.vault);
  timeMethod(app.services.store, 'insertEvent', times.insert);
  const started = process.hrtime.bigint();
  await host.drain();
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  await app.close();
  const succeeded = host.deliveries.filter((delivery) => delivery.outcome === 'succeeded').length;
  return {
    messages: count,
    succeeded,
    failed: host.deliveries.length - succeeded,
    elapsedMs,
    batchSize: settings.batchSize,
    receiveCalls: times.receive.length,
    receiveMeanMs: mean(times.receive),
    deleteMeanMs: mean(times.remove),
    vaultReads: times.vault.length,
    vaultTotalMs: times.vault.reduce((sum, ms) => sum + ms, 0),
    insertMeanMs: mean(times.insert),
    hmacMs: hmacMsPerMessage(events, key),
  };
});
