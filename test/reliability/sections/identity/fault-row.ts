/**
 * The common shape of an identity fault row: a fixture per row (nothing leaks between rows), the
 * fault installed, a caller every second for a simulated minute, the fault lifted, callers until a
 * token comes; then the rules every row shares: the documented stable code, the correlation ids,
 * request spacing, no caller held past the deadline, recovery once the fault ends.
 */
import { isTokenError, type TokenError, type TokenErrorCode } from '../../../../src/auth/errors.js';
import type { RecordedRequest } from '../../../../src/sandbox/identity/index.js';
import { startFixture, type Fixture, type FixtureOptions } from '../../../auth/provider-fixture.js';
import { describeRequests, noRequestBeforeRetryAfter, noRequestSoonAfterFailure, seconds, spacedFromLog, type SpacedRequest } from '../../checks/request-spacing.js';
import { check, type Check, type CredentialKind, type MatrixRow, type RowOutcome } from '../../matrix.js';
import { targetOf, type IdentityContext } from './context.js';
import { Callers, requestTimeoutMs } from './drive.js';

const uuid = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

interface FaultRun {
  callers: Callers;
  requests: SpacedRequest[];
  log: RecordedRequest[];
  firstError: TokenError | undefined;
  faultEndedAt: number;
}

export interface FaultRowSpec {
  name: string;
  credential: CredentialKind;
  injected: string;
  code: TokenErrorCode;
  /** Installs the fault; a persistent fault is lifted after `faultMs`. */
  arrange(f: Fixture): void;
  /** The fault is queued and runs out by itself: recovery counts from the last failure, not from the lifting. */
  queued?: boolean | undefined;
  fixture?: ((context: IdentityContext) => Promise<Partial<FixtureOptions>>) | undefined;
  /** Requests never reach the emulator (refused port): read them off the provider's own request events. */
  unreachable?: boolean | undefined;
  unusable?: ((request: RecordedRequest) => boolean) | undefined;
  faultMs?: number | undefined;
  periodMs?: number | undefined;
  /** False when the fault cannot be lifted (a refused port): no recovery phase, no recovery check. */
  recovers?: boolean | undefined;
  /** How long after the fault ends callers keep trying before the row says it never recovered. */
  recoveryMs?: number | undefined;
  recoveryPeriodMs?: number | undefined;
  /** The ids the answer's body carried, to find on the error. */
  bodyIds?: { correlationId: string; traceId?: string | undefined; errorCodes?: number[] | undefined } | undefined;
  /** The first retry comes exactly this long after the first failure (whole caller periods). */
  firstRetryAfterMs?: number | undefined;
}

/** Attempts as the provider reported them, for endpoints that never saw a request. */
function spacedFromEvents(f: Fixture): SpacedRequest[] {
  return f.eventsOf('identity-request').map((e) => ({ time: e.at - e.durationMs, endedAt: e.at, ok: e.success, status: e.status }));
}

function sentClientRequestId(request: RecordedRequest | undefined): string | undefined {
  return request?.headers['client-request-id'] ?? request?.query['client-request-id'];
}

function correlationChecks(spec: FaultRowSpec, run: FaultRun): Check[] {
  const error = run.firstError;
  const first = run.log[0];
  const sent = sentClientRequestId(first);
  // Nothing to correlate when no request reached the endpoint (a refused port).
  if (first === undefined) return [];
  const carried = error?.clientRequestId !== undefined && error.clientRequestId === sent;
  const checks = [check('the error carries the client-request-id sent', carried, error?.clientRequestId ? `${error.clientRequestId.slice(0, 8)}…` : 'none')];
  const answered = first?.status !== undefined && first.fault !== 'reset-mid-body';
  if (answered && first.status !== 200) {
    checks.push(check('the error carries the x-ms-request-id answered', error?.requestId === first.requestId, error?.requestId ? `${error.requestId.slice(0, 8)}…` : 'none'));
    const expected = spec.bodyIds?.correlationId ?? (spec.credential === 'certificate' ? sent : undefined);
    const correlationOk = expected === undefined ? uuid.test(error?.correlationId ?? '') : error?.correlationId === expected;
    checks.push(check("the error carries the body's correlation id", correlationOk, error?.correlationId ? `${error.correlationId.slice(0, 8)}…` : 'none'));
  }
  if (spec.bodyIds?.traceId !== undefined) checks.push(check('the error carries the trace id', error?.traceId === spec.bodyIds.traceId));
  if (spec.bodyIds?.errorCodes !== undefined) {
    checks.push(check('the error carries the AADSTS codes', JSON.stringify(error?.errorCodes) === JSON.stringify(spec.bodyIds.errorCodes), String(error?.errorCodes ?? 'none')));
  }
  return checks;
}

function recoveryCheck(run: FaultRun, persistent: boolean): { check: Check; afterMs: number | undefined } {
  const failedEnds = run.requests.filter((r) => !r.ok).map((r) => r.endedAt);
  const from = persistent ? run.faultEndedAt : Math.max(0, ...failedEnds);
  const firstToken = run.callers.served.map((c) => c.settledAt ?? c.at).filter((at) => at >= from).sort((a, b) => a - b)[0];
  const afterMs = firstToken === undefined ? undefined : firstToken - from;
  return { check: check('callers get a token once the fault ends', afterMs !== undefined, afterMs === undefined ? 'never' : `+${seconds(afterMs)}`), afterMs };
}

export async function runFaultRow(spec: FaultRowSpec, context: IdentityContext): Promise<RowOutcome> {
  const f = await startFixture({ kind: spec.credential, ca: context.ca, certificate: context.certificate, requestTimeoutMs, ...(await spec.fixture?.(context)) });
  try {
    const target = targetOf(spec.credential);
    spec.arrange(f);
    const callers = new Callers(f);
    await callers.every(spec.periodMs ?? 1_000, spec.faultMs ?? 60_000);
    const faultEndedAt = f.clock.now();
    f.identity.setPersistentFault(target, undefined);
    if (spec.recovers !== false) {
      await f.clock.advance(spec.periodMs ?? 1_000);
      await callers.every(spec.recoveryPeriodMs ?? 1_000, spec.recoveryMs ?? 40_000, (record) => record.token !== undefined);
    }
    await callers.finish(requestTimeoutMs);
    const log = f.identity.tokenRequests(target);
    const requests = spec.unreachable ? spacedFromEvents(f) : spacedFromLog(log, { timeoutMs: requestTimeoutMs, unusable: spec.unusable });
    const firstCaller = callers.calls[0]?.error;
    const run: FaultRun = { callers, requests, log, firstError: isTokenError(firstCaller) ? firstCaller : undefined, faultEndedAt };
    const recovery = recoveryCheck(run, spec.queued !== true);
    const checks: Check[] = [
      check(`the caller fails with ${spec.code}`, run.firstError?.code === spec.code, run.firstError?.code ?? (firstCaller instanceof Error ? firstCaller.message : 'no error')),
      ...correlationChecks(spec, run),
      noRequestSoonAfterFailure(requests),
      noRequestBeforeRetryAfter(requests),
      check('no caller waits past the request deadline', callers.longestWaitMs <= requestTimeoutMs, `longest ${seconds(callers.longestWaitMs)}`),
      ...(spec.recovers === false ? [] : [recovery.check]),
    ];
    if (spec.firstRetryAfterMs !== undefined) {
      // Callers come once a period: the first one after the gate opens sends the retry.
      const [a, b] = requests;
      const gap = a && b ? b.time - a.endedAt : undefined;
      const period = b && b.time > faultEndedAt ? (spec.recoveryPeriodMs ?? 1_000) : (spec.periodMs ?? 1_000);
      const onTime = gap !== undefined && gap >= spec.firstRetryAfterMs && gap < spec.firstRetryAfterMs + period;
      checks.push(check(`the first retry comes ${seconds(spec.firstRetryAfterMs)} after the failure, with the next caller`, onTime, gap === undefined ? 'no retry' : seconds(gap)));
    }
    const failedCallers = callers.failures.length;
    const recovered = spec.recovers === false ? 'stays down' : recovery.afterMs === undefined ? 'no recovery' : `token +${seconds(recovery.afterMs)}`;
    return {
      injected: spec.injected,
      outcome: `${run.firstError?.code ?? 'no error'}, ${failedCallers}/${callers.calls.length} calls failed, ${recovered}`,
      requests: describeRequests(requests),
      checks,
    };
  } finally {
    await f.stop();
  }
}

export function faultRow(spec: FaultRowSpec): MatrixRow<IdentityContext> {
  return { name: spec.name, credential: spec.credential, run: (context) => runFaultRow(spec, context) };
}
