/**
 * Faults that arrive while a valid token is cached, at its refresh-ahead time: every caller keeps
 * getting the cached token at once (the refresh is background work), the failed refresh retries on
 * the back-off or Retry-After schedule, and a new token arrives once the fault ends, before the
 * old one expires.
 */
import type { Fault } from '../../../../src/sandbox/identity/index.js';
import { vaultScope } from '../../../auth/provider-fixture.js';
import { describeRequests, noRequestBeforeRetryAfter, noRequestSoonAfterFailure, seconds, spacedFromLog } from '../../checks/request-spacing.js';
import { check, type CredentialKind, type MatrixRow } from '../../matrix.js';
import { targetOf, type IdentityContext } from './context.js';
import { Callers, requestTimeoutMs, withFixture } from './drive.js';

const refreshFaults: { name: string; injected: string; fault: Fault }[] = [
  { name: 'hung', injected: 'refresh never answered', fault: { kind: 'hang' } },
  { name: '503', injected: '503 on refresh, no Retry-After', fault: { kind: 'status', status: 503 } },
  { name: '429 Retry-After: 30', injected: '429 on refresh, Retry-After 30 s', fault: { kind: 'status', status: 429, retryAfter: '30' } },
];

export function warmRows(kind: CredentialKind): MatrixRow<IdentityContext>[] {
  const target = targetOf(kind);
  return refreshFaults.map(({ name, injected, fault }) => ({
    name: `during refresh: ${name}`,
    credential: kind,
    run: (context) =>
      withFixture(kind, context, async (f) => {
        f.identity.configureServerCache({ enabled: false });
        const first = await f.provider.getToken(vaultScope);
        f.identity.setPersistentFault(target, fault);
        await f.clock.advance(first.refreshAfterTimestamp - f.clock.now());
        // A caller every 10 s for 3 minutes of outage, inside the old token's life.
        const callers = new Callers(f);
        await callers.every(10_000, 3 * 60_000);
        const outage = [...callers.calls];
        const liftedAt = f.clock.now();
        f.identity.setPersistentFault(target, undefined);
        await callers.every(10_000, 60_000, (record) => record.token !== undefined && record.token.token !== first.token);
        await callers.finish(requestTimeoutMs);
        const keptServing = outage.filter((c) => c.token?.token === first.token && c.settledAt === c.at).length;
        const renewed = callers.calls.find((c) => c.token !== undefined && c.token.token !== first.token);
        const requests = spacedFromLog(f.identity.tokenRequests(target), { timeoutMs: requestTimeoutMs }).slice(1);
        return {
          injected,
          outcome: `${keptServing}/${outage.length} calls served from cache at once, new token ${renewed ? `+${seconds((renewed.settledAt ?? 0) - liftedAt)}` : 'never'}`,
          requests: describeRequests(requests, 'refresh'),
          checks: [
            check('every caller gets the valid cached token at once', keptServing === outage.length, `${keptServing} of ${outage.length}`),
            check('the failed refresh is reported', f.eventsOf('refresh-failed').length > 0, `${f.eventsOf('refresh-failed').length} refresh-failed`),
            noRequestSoonAfterFailure(requests),
            noRequestBeforeRetryAfter(requests),
            check(
              'a new token arrives once the fault ends, before the old one expires',
              renewed !== undefined && (renewed.settledAt ?? Infinity) < first.expiresOnTimestamp,
              renewed ? `${seconds(first.expiresOnTimestamp - (renewed.settledAt ?? 0))} to spare` : 'none',
            ),
          ],
        };
      }),
  }));
}
