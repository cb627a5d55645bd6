/**
 * Callers at a steady rate on scenario time, with phases (a fault starts, the platform recovers)
 * applied to the emulator at their instant. Every call is recorded: when it started, how long it
 * waited, and how it ended.
 */
import type { Fault } from '../../../src/sandbox/identity/types.js';
import { control } from './kit.js';
import type { ScenarioTime } from './scenario-time.js';
import type { GetToken } from './subjects.js';

export interface Phase {
  /** Milliseconds after the start. */
  atMs: number;
  name: string;
  fault?: Fault | null;
  lifetimeSeconds?: number;
}

export interface LoadPlan {
  durationMs: number;
  callsPerSecond: number;
  phases: readonly Phase[];
  scope: string;
  /** Passed to every getToken. */
  callOptions?: object;
  /** After the last call starts, how long outstanding calls may still take. */
  drainMs: number;
}

export interface CallRecord {
  startedMs: number;
  endedMs: number;
  ok: boolean;
  /** TokenError code, or the stock error's name. */
  error?: string;
}

function errorLabel(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    if (typeof name === 'string') return name;
  }
  return 'unknown';
}

/** Every call that ended, and how many were started. */
export interface LoadResult {
  records: CallRecord[];
  launched: number;
}

export async function runLoad(time: ScenarioTime, getToken: GetToken, plan: LoadPlan): Promise<LoadResult> {
  const start = time.now();
  const records: CallRecord[] = [];
  const outstanding = new Set<Promise<void>>();
  const phases = [...plan.phases].sort((a, b) => a.atMs - b.atMs);
  await control({ ...time.sync(), mark: 'start' });
  const stepMs = 1000 / plan.callsPerSecond;
  const total = Math.floor(plan.durationMs / stepMs);
  for (let i = 0; i < total; i++) {
    const offset = i * stepMs;
    while (phases.length > 0 && (phases[0] as Phase).atMs <= offset) {
      const { atMs, name, fault, lifetimeSeconds } = phases.shift() as Phase;
      // A phase from T covers requests sent at T and after ([T, next)): switch the emulator 1 ms
      // early, or a timer that fires exactly at T (a gate opening) would still meet the old phase.
      await time.until(start + Math.max(0, atMs - 1));
      await control({ ...time.sync(), mark: name, fault, lifetimeSeconds });
    }
    await time.until(start + offset);
    const startedMs = time.now() - start;
    const call = getToken(plan.scope, plan.callOptions).then(
      () => void records.push({ startedMs, endedMs: time.now() - start, ok: true }),
      (error: unknown) => void records.push({ startedMs, endedMs: time.now() - start, ok: false, error: errorLabel(error) }),
    );
    outstanding.add(call);
    void call.finally(() => outstanding.delete(call));
  }
  const deadline = start + plan.durationMs + plan.drainMs;
  await time.until(start + plan.durationMs);
  while (outstanding.size > 0 && time.now() < deadline) await time.until(Math.min(deadline, time.now() + 100));
  return { records, launched: total };
}
