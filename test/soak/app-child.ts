/**
 * The app side of the soak, in its own process as on a Functions worker (started with
 * --expose-gc): both functions registered through functions/index.js, the timer fired every
 * SOAK_SWEEP_EVERY_MS, the queue delivered with the host's semantics until the runner says
 * 'finish'. Then it drains the queue, measures the heap, runs the appTerminate hooks and waits
 * until the process holds no more handles than it did before the app loaded.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import functions from '@azure/functions';
import { installFunctionsCoreShim, registeredFunction, runHooks } from '../../src/sandbox/host/functions-core-shim.js';
import { QueueHost, queueServiceClient, readHostQueueSettings } from '../../src/sandbox/host/queue-host.js';
import { countResources, leftoverResources, type ChildMessage, type ChildReport, type ParentMessage, type ResourceCounts } from './child-protocol.js';

const hostJson = fileURLToPath(new URL('../../../host.json', import.meta.url));

function send(message: ChildMessage): void {
  process.send?.(message);
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the soak app process needs --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A sleep that `wake()` ends early, so that stopping never waits out a long pause. */
class Pause {
  private timer: NodeJS.Timeout | undefined;
  private resolve: (() => void) | undefined;
  for(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
  wake(): void {
    clearTimeout(this.timer);
    this.resolve?.();
  }
}

function context(functionName: string): functions.InvocationContext {
  return new functions.InvocationContext({
    invocationId: randomUUID(),
    functionName,
    traceContext: { traceParent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`, traceState: '', attributes: {} },
    logHandler: () => undefined,
  });
}

async function settledResources(baseline: ResourceCounts, timeoutMs: number): Promise<{ after: ResourceCounts; settledMs: number }> {
  const started = Date.now();
  for (;;) {
    // This poll's own timer is not the app's: count before starting it.
    const after = countResources(process.getActiveResourcesInfo());
    if (Object.keys(leftoverResources(baseline, after)).length === 0 || Date.now() - started > timeoutMs) return { after, settledMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  // stdout/stderr handles are made on first use: make them now, so they belong to the baseline.
  void process.stdout;
  void process.stderr;
  const baseline = countResources(process.getActiveResourcesInfo());
  const sweepEveryMs = Number(process.env['SOAK_SWEEP_EVERY_MS'] ?? 20_000);
  const warmupMs = Number(process.env['SOAK_WARMUP_MS'] ?? 15_000);
  installFunctionsCoreShim();
  await import('../../functions/index.js');

  const sweeps: ChildReport['sweeps'] = { ok: 0, failed: 0, slowestMs: 0 };
  const host = new QueueHost({
    serviceClient: queueServiceClient(process.env['AzureWebJobsStorage'] ?? ''),
    fn: registeredFunction('ingestEvents'),
    settings: readHostQueueSettings(hostJson),
    retryVisibilitySeconds: Number(process.env['SOAK_RETRY_VISIBILITY_SECONDS'] ?? 5),
  });
  const deliveries = (): ChildReport['deliveries'] => ({
    succeeded: host.deliveries.filter((d) => d.outcome === 'succeeded').length,
    failed: host.deliveries.filter((d) => d.outcome === 'failed').length,
    poisoned: host.deliveries.filter((d) => d.outcome === 'poisoned').length,
  });
  let finishing = false;
  const sweepPause = new Pause();
  const queuePause = new Pause();
  // Listening refs the IPC channel: it stops listening on 'finish', so the channel is not counted as the app's.
  const onMessage = (message: ParentMessage): void => {
    if (message.type !== 'finish') return;
    process.off('message', onMessage);
    finishing = true;
    sweepPause.wake();
    queuePause.wake();
  };
  process.on('message', onMessage);

  const sweepLoop = (async () => {
    while (!finishing) {
      const started = Date.now();
      try {
        await registeredFunction('inventorySweep').handler({ isPastDue: false, scheduleStatus: undefined }, context('inventorySweep'));
        sweeps.ok += 1;
      } catch (error) {
        sweeps.failed += 1;
        sweeps.lastError = error instanceof Error ? error.message : String(error);
      }
      sweeps.slowestMs = Math.max(sweeps.slowestMs, Date.now() - started);
      if (!finishing) await sweepPause.for(sweepEveryMs);
    }
  })();
  const queueLoop = (async () => {
    while (!finishing) {
      await host.drain();
      if (!finishing) await queuePause.for(500);
    }
  })();

  send({ type: 'ready' });
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  const startBytes = heapAfterGc();
  send({ type: 'warm' });
  const progress = setInterval(() => send({ type: 'progress', heapUsedBytes: process.memoryUsage().heapUsed, sweeps: { ...sweeps }, deliveries: deliveries() }), 5_000);
  await Promise.all([sweepLoop, queueLoop]);
  clearInterval(progress);
  // Whatever is still waiting out a visibility timeout is delivered before the app stops.
  await host.drain();
  const endBytes = heapAfterGc();
  await runHooks('appTerminate');
  const { after, settledMs } = await settledResources(baseline, 20_000);
  const reasons = new Map<string, number>();
  for (const d of host.deliveries) {
    if (d.outcome !== 'failed') continue;
    const reason = d.error instanceof Error ? `${d.error.name}: ${d.error.message}`.slice(0, 160) : String(d.error).slice(0, 160);
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const failureReasons = [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count).slice(0, 5);
  send({ type: 'report', heap: { startBytes, endBytes }, sweeps, deliveries: deliveries(), failureReasons, resources: { baseline, afterShutdown: after, leftover: leftoverResources(baseline, after), settledMs } });
  process.disconnect();
}

main().catch((error: unknown) => {
  send({ type: 'failed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  process.exitCode = 1;
  process.disconnect?.();
});
