/**
 * Phase A, real time: the sandbox, both functions in their own process, messages at a steady
 * rate, the sweep on a short schedule and the mixed fault schedule; then the balance of messages
 * in, stored and poisoned, the app's heap and what its shutdown left behind.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ChildReport, ParentMessage } from './child-protocol.js';
import { faultSchedule } from './fault-schedule.js';
import { Producer, type Sent } from './producer.js';
import { followTokenPassword, postgresResource, primeTokenPassword, startSoakSandbox, type SoakSandbox } from './soak-sandbox.js';

const appChild = fileURLToPath(new URL('./app-child.js', import.meta.url));

export interface PhaseAOptions {
  durationMs: number;
  messagesPerSecond: number;
  sweepEveryMs: number;
  tokenLifetimeSeconds: number;
  /** How long a failed message stays invisible (host.json says 30 s; shortened so retries happen within the run). */
  retryVisibilitySeconds: number;
  progress: (line: string) => void;
}

export interface PhaseAResult {
  wallMs: number;
  sent: Sent;
  stored: number;
  poisoned: { total: number; goodEvents: number };
  leftInQueue: number;
  app: ChildReport;
  identityRequests: { scope: string; requests: number; failed: number }[];
  faults: string[];
}

async function count(sandbox: SoakSandbox): Promise<{ stored: number; poisonBodies: string[]; leftInQueue: number }> {
  const stored = Number((await sandbox.admin.query<{ n: string }>('SELECT count(*) AS n FROM ingested_events')).rows[0]?.n ?? 0);
  const poison = sandbox.queues.getQueueClient(`${sandbox.queueName}-poison`);
  const poisonBodies: string[] = [];
  for (;;) {
    const { receivedMessageItems } = await poison.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 300 });
    if (receivedMessageItems.length === 0) break;
    poisonBodies.push(...receivedMessageItems.map((m) => Buffer.from(m.messageText, 'base64').toString('utf8')));
  }
  const { approximateMessagesCount = 0 } = await sandbox.queues.getQueueClient(sandbox.queueName).getProperties();
  return { stored, poisonBodies, leftInQueue: approximateMessagesCount };
}

/** Warm-up before the heap is first sampled and the faults begin: long enough for the first tokens, sweep and batch. */
export function warmupMs(durationMs: number): number {
  return Math.min(15_000, Math.max(3_000, Math.round(durationMs * 0.1)));
}

function runApp(sandbox: SoakSandbox, options: PhaseAOptions, finishAt: Promise<void>, onProgress: (message: ChildMessage) => void): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = fork(appChild, [], {
      execArgv: ['--expose-gc'],
      env: {
        ...process.env,
        ...sandbox.appEnv,
        SOAK_SWEEP_EVERY_MS: String(options.sweepEveryMs),
        SOAK_WARMUP_MS: String(warmupMs(options.durationMs)),
        SOAK_RETRY_VISIBILITY_SECONDS: String(options.retryVisibilitySeconds),
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let report: ChildReport | undefined;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'report') report = message;
      else if (message.type === 'failed') stderr += message.error;
      else onProgress(message);
    });
    void finishAt.then(() => child.connected && child.send({ type: 'finish' } satisfies ParentMessage));
    child.once('error', reject);
    child.once('exit', (code) => (report ? resolve(report) : reject(new Error(`the app process ended (code ${code}) without a report: ${stderr.trim().slice(-800)}`))));
  });
}

export async function runPhaseA(options: PhaseAOptions): Promise<PhaseAResult> {
  const started = Date.now();
  options.progress('Phase A (real time): starting the sandbox');
  const sandbox = await startSoakSandbox({ tokenLifetimeSeconds: options.tokenLifetimeSeconds, progress: options.progress });
  const timers: NodeJS.Timeout[] = [];
  const stopFollowing = followTokenPassword(sandbox);
  try {
    await primeTokenPassword(sandbox);
    const producer = new Producer(sandbox.queues.getQueueClient(sandbox.queueName), sandbox.signingKey);
    const applied: string[] = [];
    // Production stops at 90 % of the run; the app then drains the queue and shuts down.
    let finish: () => void = () => undefined;
    const finishAt = new Promise<void>((resolve) => (finish = resolve));
    const productionEndsAt = started + options.durationMs * 0.9;
    let faultsDone: () => void = () => undefined;
    const allFaultsApplied = new Promise<void>((resolve) => (faultsDone = resolve));
    const scheduleFaults = (): void => {
      // Over the warm part of the run (at least 10 s of it, even when a slow start leaves less):
      // a fault during the cold start would test the cold start, not the soak.
      const span = Math.max(10_000, productionEndsAt - Date.now());
      let pending = faultSchedule.length;
      for (const fault of faultSchedule) {
        timers.push(
          setTimeout(() => {
            applied.push(fault.name);
            options.progress(`  ! ${fault.name}`);
            Promise.resolve(fault.apply(sandbox))
              .catch((error: unknown) => {
                // Said in the summary too: a fault that could not be applied (or undone) explains what follows.
                applied.push(`✗ ${fault.name} could not be applied: ${String(error).slice(0, 200)}`);
                options.progress(`  ✗ fault '${fault.name}' failed: ${String(error)}`);
              })
              .finally(() => (pending -= 1) === 0 && faultsDone());
          }, fault.at * span),
        );
      }
    };
    const app = runApp(sandbox, options, finishAt, (message) => {
      if (message.type === 'warm') scheduleFaults();
      if (message.type !== 'progress') return;
      const elapsed = Math.round((Date.now() - started) / 1000);
      options.progress(`  t+${String(elapsed).padStart(4)} s  sent ${producer.sent.good + producer.sent.bad + producer.sent.replays} · delivered ${message.deliveries.succeeded} (${message.deliveries.failed} retried, ${message.deliveries.poisoned} poisoned) · sweeps ${message.sweeps.ok} ok ${message.sweeps.failed} failed · heap ${(message.heapUsedBytes / 1_048_576).toFixed(1)} MB`);
    });
    producer.start(options.messagesPerSecond);
    options.progress(`  producing ${options.messagesPerSecond} messages/s for ${Math.round((options.durationMs * 0.9) / 1000)} s; the sweep runs every ${options.sweepEveryMs / 1000} s; faults start once the app is warm`);
    // Production stops at 90 % of the run, and never before every fault has been applied and has ended.
    const productionTime = new Promise<void>((resolve) => timers.push(setTimeout(resolve, options.durationMs * 0.9)));
    void Promise.all([productionTime, allFaultsApplied]).then(() => producer.stop().then(finish));
    const report = await app;
    const counted = await count(sandbox);
    const requests = sandbox.identity.tokenRequests('mi');
    const scopes = [...new Set(requests.map((r) => r.query['resource'] ?? ''))];
    return {
      wallMs: Date.now() - started,
      sent: producer.sent,
      stored: counted.stored,
      // Every deliberately bad message goes to the poison queue at once; anything beyond them is a good event the app gave up on.
      poisoned: { total: counted.poisonBodies.length, goodEvents: Math.max(0, counted.poisonBodies.length - producer.sent.bad) },
      leftInQueue: counted.leftInQueue,
      app: report,
      identityRequests: scopes.map((scope) => {
        const mine = requests.filter((r) => (r.query['resource'] ?? '') === scope);
        return { scope: scope === postgresResource ? `${scope} (PostgreSQL)` : scope, requests: mine.length, failed: mine.filter((r) => r.status !== 200).length };
      }),
      faults: applied,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    stopFollowing();
    options.progress('  stopping the sandbox');
    await sandbox.stop();
  }
}
