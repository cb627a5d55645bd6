/**
 * A tight loop of awaited calls, each timed with `process.hrtime.bigint()`: per-call samples in
 * nanoseconds, for p50/p99. The harness floor is the same loop around an `await` of an already
 * resolved promise: what the timing itself costs, reported next to every figure.
 */
import { quantileSorted } from '../stats.js';

export interface LoopLimits {
  maxCalls: number;
  budgetMs: number;
}

export interface LoopPercentiles {
  p50: number;
  p99: number;
  calls: number;
}

export async function timeCalls(call: () => Promise<unknown>, limits: LoopLimits): Promise<LoopPercentiles> {
  const samples = new Float64Array(limits.maxCalls);
  const deadline = process.hrtime.bigint() + BigInt(Math.round(limits.budgetMs * 1e6));
  let calls = 0;
  while (calls < limits.maxCalls) {
    const started = process.hrtime.bigint();
    await call();
    const ended = process.hrtime.bigint();
    samples[calls++] = Number(ended - started);
    if ((calls & 255) === 0 && ended > deadline) break;
  }
  const sorted = samples.subarray(0, calls).sort();
  return { p50: quantileSorted(sorted, 0.5), p99: quantileSorted(sorted, 0.99), calls };
}

const resolved = Promise.resolve();

/** The harness floor: timing an `await` that has nothing to wait for. */
export function timeFloor(limits: LoopLimits): Promise<LoopPercentiles> {
  return timeCalls(() => resolved, limits);
}
