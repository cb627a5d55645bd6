/**
 * 200 rows whose answer cannot be used (malformed, tokenless, already expired) and the 1-second
 * token. An unusable 200 is a classified, retryable failure on the back-off schedule; a token too
 * short to refresh ahead is fetched when a caller needs one, and never by a loop without callers.
 */
import { startFixture } from '../../../auth/provider-fixture.js';
import { describeRequests, noRequestBeforeRetryAfter, noRequestSoonAfterFailure, spacedFromLog } from '../../checks/request-spacing.js';
import { check, type CredentialKind, type MatrixRow } from '../../matrix.js';
import { failedAnswerCode, targetOf, type IdentityContext } from './context.js';
import { Callers, requestTimeoutMs } from './drive.js';
import { faultRow } from './fault-row.js';

export function unusableAnswerRows(kind: CredentialKind): MatrixRow<IdentityContext>[] {
  const target = targetOf(kind);
  const code = failedAnswerCode(kind);
  return [
    faultRow({ name: '200 malformed JSON', credential: kind, injected: '200, body cut mid-JSON', code, arrange: (f) => f.identity.setPersistentFault(target, { kind: 'bad-json' }) }),
    faultRow({
      name: '200 without a token',
      credential: kind,
      injected: '200 {token_type, expires_in}',
      code,
      unusable: (request) => request.fault === 'status',
      arrange: (f) => f.identity.setPersistentFault(target, { kind: 'status', status: 200, body: { token_type: 'Bearer', expires_in: 3600, resource: 'https://vault.azure.net' } }),
    }),
    faultRow({
      name: '200 already expired',
      credential: kind,
      injected: '200, token expired 60 s ago',
      code,
      unusable: (request) => request.fault === 'success',
      arrange: (f) => f.identity.setPersistentFault(target, { kind: 'success', lifetimeSeconds: -60, includeExpiresIn: true }),
    }),
  ];
}

/** A 1-second token: every caller is served, requests follow callers, and stop when callers stop. */
export function oneSecondTokenRow(kind: CredentialKind): MatrixRow<IdentityContext> {
  return {
    name: '200 with a 1-second token',
    credential: kind,
    async run(context) {
      const f = await startFixture({ kind, ca: context.ca, certificate: context.certificate, requestTimeoutMs });
      try {
        const target = targetOf(kind);
        f.identity.setPersistentFault(target, { kind: 'success', lifetimeSeconds: 1, includeExpiresIn: true });
        const callers = new Callers(f);
        await callers.every(1_000, 60_000);
        await callers.finish(requestTimeoutMs);
        const busy = f.identity.tokenRequests(target).length;
        await f.clock.advance(60_000);
        const idle = f.identity.tokenRequests(target).length - busy;
        const requests = spacedFromLog(f.identity.tokenRequests(target), { timeoutMs: requestTimeoutMs });
        return {
          injected: '200, expires_in 1',
          outcome: `${callers.served.length}/${callers.calls.length} calls served`,
          requests: `${describeRequests(requests, 'identity', 2)}; idle minute ${idle}`,
          checks: [
            check('every caller gets a token', callers.failures.length === 0, `${callers.failures.length} failed`),
            // Its own request, plus at most one refresh ahead of it (at half-life, the floor of a very short token).
            check('at most two requests per caller (no loop)', busy <= 2 * callers.calls.length, `${busy} requests, ${callers.calls.length} callers`),
            check('at most one request in an idle minute (no refresh loop)', idle <= 1, `${idle} requests`),
            noRequestSoonAfterFailure(requests),
            noRequestBeforeRetryAfter(requests),
          ],
        };
      } finally {
        await f.stop();
      }
    },
  };
}
