/**
 * The app side of `npm run local`, in its own process as on a Functions worker: the settings come
 * from the environment (trust for the run's CA from NODE_EXTRA_CA_CERTS, as `func start` would
 * get it), functions/index.js registers both triggers through the worker's core API, and the
 * same handlers, module-scope provider and composition root run as in Azure. It fires the timer
 * once, then delivers the queue with the host's semantics from host.json, and reports on stdout.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import functions from '@azure/functions';
import { installFunctionsCoreShim, registeredFunction, runHooks } from '../sandbox/host/functions-core-shim.js';
import { QueueHost, queueServiceClient, readHostQueueSettings } from '../sandbox/host/queue-host.js';
import { REPORT_PREFIX, type AppHostReport } from './report.js';

const hostJson = fileURLToPath(new URL('../../../host.json', import.meta.url));

function invocationContext(functionName: string, onLog: (level: string, args: unknown[]) => void): functions.InvocationContext {
  return new functions.InvocationContext({
    invocationId: randomUUID(),
    functionName,
    traceContext: { traceParent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`, traceState: '', attributes: {} },
    logHandler: (level, ...args) => onLog(level, args),
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function main(): Promise<void> {
  const logLines: AppHostReport['logLines'] = [];
  const onLog = (level: string, args: unknown[]): void => {
    logLines.push({ level, text: args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ').slice(0, 300) });
  };
  installFunctionsCoreShim();
  await import('../../functions/index.js');

  const sweepStarted = Date.now();
  let sweep: AppHostReport['sweep'];
  try {
    await registeredFunction('inventorySweep').handler({ isPastDue: false, scheduleStatus: undefined }, invocationContext('inventorySweep', onLog));
    sweep = { ok: true, durationMs: Date.now() - sweepStarted };
  } catch (error) {
    sweep = { ok: false, error: describe(error), durationMs: Date.now() - sweepStarted };
  }

  const connection = process.env['AzureWebJobsStorage'] ?? '';
  const host = new QueueHost({ serviceClient: queueServiceClient(connection), fn: registeredFunction('ingestEvents'), settings: readHostQueueSettings(hostJson), onLog });
  const drainStarted = Date.now();
  await host.drain();
  const drainMs = Date.now() - drainStarted;
  await runHooks('appTerminate');

  const report: AppHostReport = {
    sweep,
    deliveries: host.deliveries.map((d) => ({ messageId: d.messageId, dequeueCount: d.dequeueCount, outcome: d.outcome, error: d.error === undefined ? undefined : describe(d.error) })),
    retryWaitsSeconds: host.releasedWithSeconds,
    logLines,
    drainMs,
  };
  process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`app host failed: ${describe(error)}\n`);
  process.exitCode = 1;
});
