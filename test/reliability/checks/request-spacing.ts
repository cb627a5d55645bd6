/**
 * The spacing rules every identity row is held to, read off the requests the identity platform
 * actually received (design.md §3, the gate):
 * - no request within 5 s of a failure that came without a usable `Retry-After` (5xx, timeout,
 *   lost connection, unusable answer): the first back-off step is at least 5 s;
 * - no request before a usable `Retry-After` has passed (RFC 9110: the platform's value is
 *   authoritative; the product caps it at an hour).
 * These checkers interpret `Retry-After` themselves rather than calling the product's parser, so a
 * parser bug cannot hide a spacing bug.
 */
import type { RecordedRequest } from '../../../src/sandbox/identity/index.js';
import { check, type Check } from '../matrix.js';

export const minFailureGapMs = 5_000;

/** The two rules' names, shared with wire-spacing.ts so the matrix names each rule one way. */
export const spacingRules = {
  soonAfterFailure: 'no request within 5 s of a failure without Retry-After',
  beforeRetryAfter: 'no request before Retry-After',
} as const;
/** The product's cap on `Retry-After` (src/auth/defaults.ts maxRetryAfterMs), restated as the rule. */
export const retryAfterCapMs = 60 * 60_000;

/** One request as the rules see it. */
export interface SpacedRequest {
  /** When it was sent (clock ms). */
  time: number;
  /** When the caller learnt the outcome: the answer's arrival, or the request deadline when none came. */
  endedAt: number;
  ok: boolean;
  status?: number | undefined;
  /** `Retry-After` as sent, verbatim. */
  retryAfter?: string | undefined;
}

export interface LogReading {
  /** The provider's request deadline: an unanswered request ended this long after it was sent. */
  timeoutMs: number;
  /** Answers the row crafted to be unusable although their status is 200 (a tokenless body, say). */
  unusable?: ((request: RecordedRequest) => boolean) | undefined;
}

const lostAnswers = new Set<RecordedRequest['fault']>(['reset-mid-body', 'bad-json']);

/** Reads the emulator's request log (token requests of one target, in order) as spaced requests. */
export function spacedFromLog(requests: readonly RecordedRequest[], reading: LogReading): SpacedRequest[] {
  return requests.map((request) => {
    // Only a held request (hang, slow) ends at the deadline; a reset ends when it arrives.
    const held = request.fault === 'hang' || request.fault === 'slow';
    const timedOut = held && (request.status === undefined || request.abandoned === true);
    const ok = request.status === 200 && !timedOut && !lostAnswers.has(request.fault) && !(reading.unusable?.(request) ?? false);
    return { time: request.time, endedAt: timedOut ? request.time + reading.timeoutMs : request.time, ok, status: request.status, retryAfter: request.retryAfter };
  });
}

/** A usable `Retry-After` in ms, as RFC 9110 defines it (delay-seconds or an HTTP-date), capped; else undefined. */
export function usableRetryAfterMs(value: string | undefined, at: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number | undefined;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else if (/^[a-z]{3},/i.test(text) && !Number.isNaN(Date.parse(text))) ms = Date.parse(text) - at;
  return ms !== undefined && ms > 0 ? Math.min(ms, retryAfterCapMs) : undefined;
}

function pairs(requests: readonly SpacedRequest[]): [SpacedRequest, SpacedRequest][] {
  return requests.slice(1).map((next, i) => [requests[i] as SpacedRequest, next]);
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  return Math.abs(s) < 100 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

/** No request within 5 s of a failure answered without a usable Retry-After. */
export function noRequestSoonAfterFailure(requests: readonly SpacedRequest[]): Check {
  const gaps = pairs(requests)
    .filter(([failed]) => !failed.ok && usableRetryAfterMs(failed.retryAfter, failed.endedAt) === undefined)
    .map(([failed, next]) => next.time - failed.endedAt);
  const shortest = gaps.length === 0 ? undefined : Math.min(...gaps);
  return check(
    spacingRules.soonAfterFailure,
    shortest === undefined || shortest >= minFailureGapMs,
    shortest === undefined ? 'no retry followed one' : `shortest ${seconds(shortest)}`,
  );
}

/** No request before a usable Retry-After has passed. */
export function noRequestBeforeRetryAfter(requests: readonly SpacedRequest[]): Check {
  const early = pairs(requests)
    .map(([answered, next]) => ({ waitMs: usableRetryAfterMs(answered.retryAfter, answered.endedAt), gapMs: next.time - answered.endedAt }))
    .filter((pair): pair is { waitMs: number; gapMs: number } => pair.waitMs !== undefined);
  const broken = early.find((pair) => pair.gapMs < pair.waitMs);
  return check(
    spacingRules.beforeRetryAfter,
    broken === undefined,
    broken ? `${seconds(broken.gapMs)} after a Retry-After of ${seconds(broken.waitMs)}` : early.length === 0 ? 'no retry followed one' : `${early.length} waited out`,
  );
}

/** "identity 3, gaps 5.0 s / 10.0 s": the count and the first gaps, for the table. */
export function describeRequests(requests: readonly SpacedRequest[], label = 'identity', shown = 3): string {
  const gaps = pairs(requests).map(([a, b]) => seconds(b.time - a.time));
  const more = gaps.length > shown ? ` / …` : '';
  return gaps.length === 0 ? `${label} ${requests.length}` : `${label} ${requests.length}, gaps ${gaps.slice(0, shown).join(' / ')}${more}`;
}
