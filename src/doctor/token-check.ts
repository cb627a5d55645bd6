/** A token attempt as a check: when it expires and how long it took, or every id there is and what to do. */
import type { TokenError } from '../auth/errors.js';
import type { TokenAttempt } from './acquire-tokens.js';
import { remedyFor } from './remedies.js';
import type { Check, ErrorFacts } from './report.js';
import type { Situation } from './situation.js';

const sourceName = { 'managed-identity': 'managed identity', certificate: 'certificate' } as const;

export function errorFacts(error: TokenError, requestSent?: boolean): ErrorFacts {
  return {
    code: error.code,
    message: error.message,
    status: error.status,
    platformError: error.platformError,
    errorCodes: error.errorCodes,
    requestId: error.requestId,
    clientRequestId: error.clientRequestId,
    correlationId: error.correlationId,
    traceId: error.traceId,
    retryAt: error.retryAt === undefined ? undefined : new Date(error.retryAt).toISOString(),
    retryAfterMs: error.retryAfterMs,
    setting: error.setting,
    requestSent,
  };
}

export function tokenCheck(attempt: TokenAttempt, situation: Situation): Check {
  const base = { id: 'token', group: 'token' as const, title: attempt.scope, scope: attempt.scope, requests: attempt.requests };
  if (attempt.ok) {
    const minutesLeft = Math.floor((attempt.expiresOnTimestamp - situation.now) / 60_000);
    const expiresOn = new Date(attempt.expiresOnTimestamp).toISOString();
    return {
      ...base,
      status: 'pass',
      finding: `${sourceName[attempt.source]} token, expires ${expiresOn} (${minutesLeft} min left), in ${attempt.durationMs} ms`,
      facts: { source: attempt.source, expiresOn, minutesLeft, durationMs: attempt.durationMs },
    };
  }
  const { error } = attempt;
  const status = error.status === undefined ? '' : ` (HTTP ${error.status})`;
  const notSent = attempt.requestSent ? '' : ' [no request sent: the provider held it back]';
  return {
    ...base,
    status: 'fail',
    finding: `${error.code}${status}${notSent}: ${error.message}`,
    facts: { durationMs: attempt.durationMs },
    error: errorFacts(error, attempt.requestSent),
    remedy: remedyFor(error, situation),
  };
}
