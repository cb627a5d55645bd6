/**
 * The bounds a soak run must keep, stated once: the summary prints them and the exit status
 * says whether every one held.
 */
import type { PhaseAResult } from './phase-a.js';
import { maxFailedRequestsPerDay, type KindResult } from './phase-b.js';

export const heapGrowthLimitBytes = 10 * 1_048_576;
/**
 * Successful identity requests per scope per token lifetime on simulated days: one refresh per
 * lifetime (a 1 h token is replaced after 50-55 min, so about 1.15), a few more after faults.
 * Before the same-token fix a 1 h token from a caching host cost about 55.
 */
export const requestsPerLifetimeLimit = 1.5;

export interface BoundCheck {
  what: string;
  bound: string;
  measured: string;
  ok: boolean;
}

const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;
const growth = (heap: { startBytes: number; endBytes: number }): string => `${mb(heap.startBytes)} → ${mb(heap.endBytes)} (${heap.endBytes >= heap.startBytes ? '+' : ''}${mb(heap.endBytes - heap.startBytes)})`;

export function checkBounds(a: PhaseAResult | undefined, b: readonly KindResult[], cliLeftover: Record<string, number>): BoundCheck[] {
  const checks: BoundCheck[] = [];
  if (a) {
    const uniqueGood = a.sent.good;
    checks.push({ what: 'A: every good message stored (none lost, none poisoned)', bound: `stored = ${uniqueGood} sent`, measured: `${a.stored} stored, ${a.poisoned.goodEvents} good poisoned, ${a.leftInQueue} left in queue`, ok: a.stored === uniqueGood && a.poisoned.goodEvents === 0 && a.leftInQueue === 0 });
    checks.push({ what: 'A: every bad message poisoned, replays stored once', bound: `poisoned = ${a.sent.bad} bad`, measured: `${a.poisoned.total} poisoned, ${a.sent.replays} replays`, ok: a.poisoned.total === a.sent.bad });
    checks.push({ what: 'A: app heap after GC, warm → end', bound: `growth < ${mb(heapGrowthLimitBytes)}`, measured: growth(a.app.heap), ok: a.app.heap.endBytes - a.app.heap.startBytes < heapGrowthLimitBytes });
    const left = Object.entries(a.app.resources.leftover);
    checks.push({ what: 'A: app shutdown (appTerminate) leaves no timer or handle', bound: 'as before the app loaded', measured: left.length === 0 ? `none (settled in ${a.app.resources.settledMs} ms)` : left.map(([name, n]) => `${n} ${name}`).join(', '), ok: left.length === 0 });
  }
  for (const kind of b) {
    const worst = Math.max(...kind.scopes.map((s) => s.perLifetime));
    checks.push({ what: `B: ${kind.kind} successful identity requests per scope per token lifetime`, bound: `≤ ${requestsPerLifetimeLimit}`, measured: kind.scopes.map((s) => s.perLifetime.toFixed(2)).join(' / '), ok: worst <= requestsPerLifetimeLimit });
    const failedPerDay = kind.scopes.reduce((n, s) => n + s.failed, 0) / kind.simulatedDays;
    checks.push({ what: `B: ${kind.kind} failed requests (the faults' retries) per simulated day`, bound: `≤ ${maxFailedRequestsPerDay()} (fastest back-off)`, measured: failedPerDay.toFixed(1), ok: failedPerDay <= maxFailedRequestsPerDay() });
    checks.push({ what: `B: ${kind.kind} callers served through the faults`, bound: 'none fails while a servable token exists', measured: `${kind.failuresWithValidToken} (${kind.callerFailures} of ${kind.calls} failed, each once an outage outlasted its token)`, ok: kind.failuresWithValidToken === 0 });
    checks.push({ what: `B: ${kind.kind} heap after GC, hour 1 → last day`, bound: `growth < ${mb(heapGrowthLimitBytes)}`, measured: growth(kind.heap), ok: kind.heap.endBytes - kind.heap.startBytes < heapGrowthLimitBytes });
  }
  const left = Object.entries(cliLeftover);
  checks.push({ what: 'soak process: nothing left after stopping every part', bound: 'as at start', measured: left.length === 0 ? 'none' : left.map(([name, n]) => `${n} ${name}`).join(', '), ok: left.length === 0 });
  return checks;
}

export function renderChecks(checks: readonly BoundCheck[]): string {
  const lines = ['| check | bound | measured | ok |', '|---|---|---|---|'];
  for (const c of checks) lines.push(`| ${c.what} | ${c.bound} | ${c.measured} | ${c.ok ? '✓' : '✗'} |`);
  return lines.join('\n');
}
