/** Reading a scenario off the emulator's request log: when requests came, relative to the marks. */
import type { RecordedRequest } from '../../../src/sandbox/identity/types.js';
import type { TargetOutcome } from '../bench-context.js';

export function markAt(outcome: TargetOutcome, name: string): number {
  const mark = outcome.marks.find((candidate) => candidate.name === name);
  if (mark === undefined) throw new Error(`the target set no "${name}" mark`);
  return mark.at;
}

/** Token request arrival times, ms after the mark. */
export function requestOffsets(outcome: TargetOutcome, from: string): number[] {
  const origin = markAt(outcome, from);
  return outcome.tokenRequests.map((request) => request.time - origin);
}

export function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((time, i) => time - (times[i] as number));
}

/** Requests before `until` ms after the mark `from`. */
export function requestsBefore(outcome: TargetOutcome, from: string, until: number): RecordedRequest[] {
  const origin = markAt(outcome, from);
  return outcome.tokenRequests.filter((request) => request.time - origin < until);
}

/**
 * Retries inside one caller's call: requests grouped by the SDK pipeline's per-call
 * `x-ms-client-request-id` (kept across its retries), gaps within each group, first group first.
 */
export function retryGapsPerCall(requests: readonly RecordedRequest[]): number[][] {
  const groups = new Map<string, number[]>();
  for (const request of requests) {
    const id = request.headers['x-ms-client-request-id'] ?? request.headers['client-request-id'] ?? request.requestId;
    groups.set(id, [...(groups.get(id) ?? []), request.time]);
  }
  return [...groups.values()].map((times) => gaps(times));
}

/** Doubling (or more) until the cap: each gap at least 1.5× the one before, or at the cap. */
export function isExponential(gapsMs: readonly number[], capMs: number): boolean {
  return gapsMs.every((gap, i) => i === 0 || gap >= Math.min(1.5 * (gapsMs[i - 1] as number), capMs));
}
