/**
 * Rows about time: an answer just inside or just past the request deadline (both on the injected
 * clock: the deadline is a clock timer and the emulator's `slow` fault answers on the same clock),
 * a managed-identity host that hands the same token out again, and a host clock minutes off.
 */
import type { Fixture } from '../../../auth/provider-fixture.js';
import { waitUntil } from '../../../support/scheduled-clock.js';
import { describeRequests, minFailureGapMs, noRequestBeforeRetryAfter, noRequestSoonAfterFailure, seconds, spacedFromLog } from '../../checks/request-spacing.js';
import { check, type Check, type CredentialKind, type MatrixRow } from '../../matrix.js';
import { targetOf, unreachableCode, type IdentityContext } from './context.js';
import { Callers, requestTimeoutMs, withFixture, type CallRecord } from './drive.js';

const marginMs = 100;

async function answered(record: CallRecord): Promise<void> {
  await waitUntil(() => record.settledAt !== undefined, 'the caller to get its answer', 5_000);
}

export function slowRows(kind: CredentialKind): MatrixRow<IdentityContext>[] {
  const target = targetOf(kind);
  return [
    {
      name: 'slow, just under the deadline',
      credential: kind,
      run: (context) =>
        withFixture(kind, context, async (f) => {
          const slowMs = requestTimeoutMs - marginMs;
          f.identity.script(target, { kind: 'slow', ms: slowMs });
          const first = await new Callers(f).call();
          await f.clock.advance(slowMs);
          await answered(first);
          const acquired = f.eventsOf('acquired')[0];
          const requests = spacedFromLog(f.identity.tokenRequests(target), { timeoutMs: requestTimeoutMs });
          return {
            injected: `answer after ${seconds(slowMs)} (deadline ${seconds(requestTimeoutMs)})`,
            outcome: first.token ? `token after ${seconds((first.settledAt ?? 0) - first.at)}` : `failed: ${String((first.error as { code?: string }).code)}`,
            requests: describeRequests(requests),
            checks: [
              check('the caller gets the slow answer', first.token !== undefined && f.identity.wasIssued(first.token.token)),
              check('it took the answer time, on the clock', acquired?.durationMs === slowMs, acquired ? seconds(acquired.durationMs) : 'not acquired'),
              check('one request', requests.length === 1, `${requests.length}`),
              noRequestSoonAfterFailure(requests),
              noRequestBeforeRetryAfter(requests),
            ],
          };
        }),
    },
    {
      name: 'slow, just over the deadline',
      credential: kind,
      run: (context) =>
        withFixture(kind, context, async (f) => {
          const slowMs = requestTimeoutMs + marginMs;
          f.identity.script(target, { kind: 'slow', ms: slowMs });
          const callers = new Callers(f);
          const first = await callers.call();
          await f.clock.advance(requestTimeoutMs);
          await answered(first);
          // The late answer comes after the caller has given up; it must not become anyone's token.
          await f.clock.advance(marginMs);
          await callers.every(1_000, 30_000, (record) => record.token !== undefined);
          await callers.finish(requestTimeoutMs);
          const log = f.identity.tokenRequests(target);
          // A managed-identity host may cache what it minted for the late request and hand it out on
          // the retry; what matters is that only the retry's answer became a token here.
          const acquiredAt = f.eventsOf('acquired').map((e) => e.at);
          const retryAt = log[1]?.time;
          const requests = spacedFromLog(log, { timeoutMs: requestTimeoutMs, unusable: (r) => r.fault === 'slow' });
          const code = (first.error as { code?: string } | undefined)?.code;
          const recoveredAt = callers.served[0]?.settledAt;
          return {
            injected: `answer after ${seconds(slowMs)} (deadline ${seconds(requestTimeoutMs)})`,
            outcome: `${code ?? 'no error'} at ${seconds((first.settledAt ?? 0) - first.at)}; token +${recoveredAt === undefined ? '—' : seconds(recoveredAt - first.at)}`,
            requests: describeRequests(requests),
            checks: [
              check(`the caller fails with ${unreachableCode(kind)}`, code === unreachableCode(kind), code ?? 'no error'),
              check('exactly at the deadline', first.settledAt !== undefined && first.settledAt - first.at === requestTimeoutMs, seconds((first.settledAt ?? 0) - first.at)),
              check(
                'the late answer is dropped; only the retry brings a token',
                retryAt !== undefined && acquiredAt.length === 1 && (acquiredAt[0] ?? 0) >= retryAt,
                `${acquiredAt.length} acquired`,
              ),
              noRequestSoonAfterFailure(requests),
              noRequestBeforeRetryAfter(requests),
              check('callers get a token after the back-off', recoveredAt !== undefined, recoveredAt === undefined ? 'never' : `+${seconds(recoveredAt - first.at)}`),
            ],
          };
        }),
    },
  ];
}

/** Requests closer than the refresh floor while the token they replaced was still valid. */
function floorBreaks(f: Fixture, times: readonly number[]): number[] {
  return times.slice(1).flatMap((time, i) => {
    const previous = times[i] as number;
    const held = f.identity.issuedTokens.some((t) => t.issuedAt <= previous && t.expiresAt > time);
    return time - previous < minFailureGapMs && held ? [time - previous] : [];
  });
}

export function sameTokenAgainRow(): MatrixRow<IdentityContext> {
  return {
    name: 'the same token returned again',
    credential: 'managed-identity',
    run: (context) =>
      withFixture('managed-identity', context, async (f) => {
        // A host that keeps its cached 15-minute token until it expires, with a countdown expires_in.
        f.identity.setDefaultLifetime(900, { includeExpiresIn: true });
        const callers = new Callers(f);
        await callers.every(10_000, 20 * 60_000);
        await callers.finish(requestTimeoutMs);
        const log = f.identity.tokenRequests('mi');
        const distinct = new Set(callers.served.map((c) => c.token?.token)).size;
        const breaks = floorBreaks(f, log.map((r) => r.time));
        const requests = spacedFromLog(log, { timeoutMs: requestTimeoutMs });
        return {
          injected: 'host cache: same token, countdown expires_in',
          outcome: `${callers.served.length}/${callers.calls.length} calls served, ${distinct} distinct tokens`,
          requests: describeRequests(requests),
          checks: [
            check('every caller gets a token', callers.failures.length === 0, `${callers.failures.length} failed`),
            check('the host did hand out a token again', log.length > f.identity.issuedTokens.length, `${log.length} answers, ${f.identity.issuedTokens.length} minted`),
            check('at most one request per caller (no loop)', log.length <= callers.calls.length, `${log.length} requests, ${callers.calls.length} callers`),
            check('no two requests within 5 s while a valid token was held', breaks.length === 0, breaks.length === 0 ? 'none' : `${breaks.length}, shortest ${seconds(Math.min(...breaks))}`),
            noRequestSoonAfterFailure(requests),
            noRequestBeforeRetryAfter(requests),
          ],
        };
      }),
  };
}

export function clockSkewRows(kind: CredentialKind): MatrixRow<IdentityContext>[] {
  const target = targetOf(kind);
  return [5, -5].map((minutes) => ({
    name: `host clock ${minutes > 0 ? '+' : ''}${minutes} min`,
    credential: kind,
    run: (context) =>
      withFixture(kind, context, async (f) => {
        const lifetimeS = 3_600;
        f.identity.setClockSkew(minutes * 60_000);
        // Managed identity as IMDS answers: expires_on on the skewed host clock and expires_in; one token per request.
        f.identity.setDefaultLifetime(lifetimeS, { includeExpiresIn: true });
        f.identity.configureServerCache({ enabled: false });
        const callers = new Callers(f);
        const first = await callers.call();
        await callers.every(60_000, 130 * 60_000);
        await callers.finish(requestTimeoutMs);
        const expectedExpiry = first.at + lifetimeS * 1000;
        const offBy = first.token ? first.token.expiresOnTimestamp - expectedExpiry : Number.NaN;
        const requests = spacedFromLog(f.identity.tokenRequests(target), { timeoutMs: requestTimeoutMs });
        const checks: Check[] = [
          check('expiry read on this host\'s clock (expires_in)', Math.abs(offBy) <= 2_000, Number.isNaN(offBy) ? 'no token' : `off by ${seconds(offBy)}`),
          check('every caller gets a token', callers.failures.length === 0, `${callers.failures.length} failed`),
          check('a refresh per token lifetime, no loop', requests.length <= 4, `${requests.length} requests in 2 h 10 min`),
          noRequestSoonAfterFailure(requests),
          noRequestBeforeRetryAfter(requests),
        ];
        return {
          injected: `identity host clock ${minutes > 0 ? 'ahead' : 'behind'} ${Math.abs(minutes)} min`,
          outcome: `${callers.served.length}/${callers.calls.length} calls served; expiry off by ${Number.isNaN(offBy) ? '—' : seconds(offBy)}`,
          requests: describeRequests(requests),
          checks,
        };
      }),
  }));
}
