/**
 * The spacing rules of request-spacing.ts (the same 5 s floor, the same reading of `Retry-After`,
 * the same rule names) over a client's wire log (Key Vault), where requests overlap: no request
 * before a Retry-After has passed, and none within 5 s of a 5xx, a timeout or a reset that came
 * without a usable Retry-After. Only requests sent after the client had received the failure
 * count: one already in flight could not know.
 */
import { check, type Check } from '../matrix.js';
import type { WireRequest } from '../support/wire-log.js';
import { minFailureGapMs, seconds, spacingRules, usableRetryAfterMs } from './request-spacing.js';

interface Quiet {
  failure: WireRequest;
  until: number;
  retryAfterMs: number | undefined;
}

function quietAfter(request: WireRequest): Quiet | undefined {
  const failed = request.failure !== undefined || request.status === 429 || (request.status ?? 0) >= 500;
  if (!failed || request.receivedAt === undefined) return undefined;
  const retryAfterMs = usableRetryAfterMs(request.retryAfter, request.receivedAt);
  return { failure: request, until: request.receivedAt + (retryAfterMs ?? minFailureGapMs), retryAfterMs };
}

/** The smallest gap from a failure to the next request sent after it was seen, for the table. */
export function describeGaps(log: readonly WireRequest[]): string {
  const gaps = quietPeriods(log).flatMap((quiet) => {
    const next = log.find((r) => r.seq > (quiet.failure.receivedSeq ?? Infinity));
    return next === undefined ? [] : [`${quiet.failure.status ?? quiet.failure.failure} gap ${seconds(next.sentAt - (quiet.failure.receivedAt ?? 0))}`];
  });
  return gaps.length === 0 ? 'no failure' : [...new Set(gaps)].join(', ');
}

function quietPeriods(log: readonly WireRequest[]): Quiet[] {
  return log.flatMap((request) => quietAfter(request) ?? []);
}

/** Both rules as two checks, each with the worst case it measured. */
export function requestSpacingChecks(log: readonly WireRequest[]): Check[] {
  const early: string[] = [];
  const tooSoon: string[] = [];
  for (const quiet of quietPeriods(log)) {
    const seenAt = quiet.failure.receivedSeq ?? Infinity;
    for (const request of log) {
      if (request.seq < seenAt || request.sentAt >= quiet.until) continue;
      const gap = seconds(request.sentAt - (quiet.failure.receivedAt ?? 0));
      const what = `${request.path} ${gap} after ${quiet.failure.status ?? quiet.failure.failure}`;
      (quiet.retryAfterMs === undefined ? tooSoon : early).push(what);
    }
  }
  return [
    check(spacingRules.beforeRetryAfter, early.length === 0, early.length === 0 ? undefined : `${early.length} early: ${early.slice(0, 2).join('; ')}`),
    check(spacingRules.soonAfterFailure, tooSoon.length === 0, tooSoon.length === 0 ? undefined : `${tooSoon.length} too soon: ${tooSoon.slice(0, 2).join('; ')}`),
  ];
}
