/**
 * `npm run soak`: phase A (real time, the sandbox and both functions under a mixed fault schedule)
 * then phase B (the provider over simulated days), a summary of the bounds, exit 1 when one breaks.
 * Progress goes to stderr; the summary (or --json) to stdout.
 */
import { fileURLToPath } from 'node:url';
import { checkBounds, renderChecks } from './bounds.js';
import { countResources, leftoverResources } from './child-protocol.js';
import { parseSoakArgs, usage, type SoakArgs } from './args.js';
import { runPhaseA, type PhaseAResult } from './phase-a.js';
import { runPhaseB, type KindResult } from './phase-b.js';

async function settled(baseline: Record<string, number>, timeoutMs: number): Promise<Record<string, number>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left = leftoverResources(baseline, countResources(process.getActiveResourcesInfo()));
    if (Object.keys(left).length === 0 || Date.now() > until) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function identityLines(a: PhaseAResult | undefined, b: readonly KindResult[]): string[] {
  const lines: string[] = [];
  if (a) {
    lines.push(`Phase A: ${(a.wallMs / 1000).toFixed(0)} s real time · messages in ${a.sent.good} good + ${a.sent.bad} bad + ${a.sent.replays} replays · stored ${a.stored} · poisoned ${a.poisoned.total} · sweeps ${a.app.sweeps.ok} ok, ${a.app.sweeps.failed} failed · deliveries retried ${a.app.deliveries.failed}`);
    for (const s of a.identityRequests) lines.push(`  identity requests for ${s.scope}: ${s.requests} (${s.failed} failed, by the faults)`);
    for (const r of a.app.failureReasons) lines.push(`  deliveries retried by the host: ${r.count} × ${r.reason}`);
    lines.push(`  slowest sweep: ${(a.app.sweeps.slowestMs / 1000).toFixed(1)} s`);
    lines.push(`  faults applied: ${a.faults.filter((f) => !f.startsWith('✗')).length} (${a.faults.filter((f) => !f.startsWith('✗')).map((f) => f.split(':')[0]).join(', ')})`);
    for (const failed of a.faults.filter((f) => f.startsWith('✗'))) lines.push(`  ${failed}`);
  }
  for (const kind of b) {
    lines.push(`Phase B ${kind.kind}: ${kind.simulatedDays} simulated days in ${(kind.wallMs / 1000).toFixed(1)} s · ${kind.calls} calls, ${kind.callerFailures} failed, each once an outage outlasted its token`);
    for (const s of kind.scopes) lines.push(`  ${s.scope}: ${s.requests} identity requests over ${s.lifetimes} token lifetimes: ${s.perLifetime.toFixed(2)} successful per lifetime, ${s.failed} failed (the faults' retries)`);
  }
  return lines;
}

export async function runSoak(args: SoakArgs): Promise<number> {
  void process.stdout;
  void process.stderr;
  const baseline = countResources(process.getActiveResourcesInfo());
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);
  const phaseA = args.minutes > 0 ? await runPhaseA({ durationMs: args.minutes * 60_000, messagesPerSecond: 4, sweepEveryMs: 20_000, tokenLifetimeSeconds: 60, retryVisibilitySeconds: 3, progress }) : undefined;
  const phaseB = args.simulatedDays > 0 ? await runPhaseB(args.simulatedDays, progress) : [];
  const leftover = await settled(baseline, 15_000);
  const checks = checkBounds(phaseA, phaseB, leftover);
  const ok = checks.every((c) => c.ok);
  if (args.json) process.stdout.write(`${JSON.stringify({ ok, checks, phaseA, phaseB }, null, 2)}\n`);
  else process.stdout.write(`\n${identityLines(phaseA, phaseB).join('\n')}\n\n${renderChecks(checks)}\n\n${ok ? '✓ every bound held' : `✗ ${checks.filter((c) => !c.ok).length} bound(s) broken`}\n`);
  return ok ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let args: SoakArgs;
  try {
    args = parseSoakArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  runSoak(args).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`✗ ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
