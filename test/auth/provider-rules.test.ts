/**
 * The daemon-resilience rules, proved for both credential kinds against the identity emulator
 * over real sockets, on virtual time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isTokenError, type TokenError } from '../../src/auth/errors.js';
import type { IdentityTarget } from '../../src/sandbox/identity/index.js';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { waitUntil } from '../support/scheduled-clock.js';
import { assertGateOpensIn, rejectionOf, sqlScope, startFixture, vaultScope, type Fixture } from './provider-fixture.js';

const minute = 60_000;
let ca: TestCa;
let certificate: ClientCertificate;

before(() => {
  ca = createTestCa();
  certificate = ca.makeClientCertificate('rules-app');
});
after(() => ca.cleanup());

const kinds = [
  { kind: 'managed-identity' as const, target: 'mi' as IdentityTarget, unreachable: 'managed_identity_unreachable_network', serverError: 'managed_identity_failed_response' },
  { kind: 'certificate' as const, target: 'entra' as IdentityTarget, unreachable: 'identity_platform_unreachable', serverError: 'identity_platform_unavailable' },
];

for (const { kind, target, unreachable, serverError } of kinds) {
  describe(`token provider rules (${kind})`, () => {
    let f: Fixture;
    const start = async (requestTimeoutMs?: number): Promise<Fixture> => {
      f = await startFixture({ kind, ca, certificate, requestTimeoutMs });
      return f;
    };
    const requests = (): number => f.identity.tokenRequests(target).length;
    const requestTimes = (): number[] => f.identity.tokenRequests(target).map((r) => r.time);

    it('one identity request per token lifetime per scope, not one per call', async () => {
      await start();
      try {
        const first = await f.provider.getToken(vaultScope);
        assert.equal(first.fromCache, false);
        assert.equal(first.source, kind);
        assert.ok(f.identity.wasIssued(first.token));
        for (let i = 0; i < 50; i += 1) {
          await f.clock.advance(minute);
          const again = await f.provider.getToken(vaultScope);
          assert.equal(again.token, first.token, `call ${i} served the cached token`);
          assert.equal(again.fromCache, true);
          if (f.clock.now() >= first.refreshAfterTimestamp) break;
        }
        assert.equal(requests(), 1);
        await f.provider.getToken(sqlScope);
        assert.equal(requests(), 2, 'a second scope is a second cache key');
        assert.ok((f.provider.cacheStats().scopes.find((s) => s.scope === vaultScope)?.hits ?? 0) >= 50, 'every call was a counted hit');
      } finally {
        await f.stop();
      }
    });

    it('the lifetime comes from the response (expires_in / refresh_in), not from decoding the token', async () => {
      await start();
      try {
        f.identity.script(target, { kind: 'success', lifetimeSeconds: 7_200, refreshInSeconds: 600, includeExpiresIn: true });
        const before = f.clock.now();
        const token = await f.provider.getToken(vaultScope);
        assert.ok(Math.abs(token.expiresOnTimestamp - (before + 7_200_000)) <= 1_000);
        assert.ok(Math.abs(token.refreshAfterTimestamp - (before + 600_000)) <= 1_000);
      } finally {
        await f.stop();
      }
    });

    it('1,000 concurrent cold callers make exactly one identity request', async () => {
      await start();
      try {
        f.identity.script(target, { kind: 'delay', ms: 50 });
        const results = await Promise.all(Array.from({ length: 1_000 }, () => f.provider.getToken(vaultScope)));
        assert.equal(requests(), 1);
        assert.equal(new Set(results.map((r) => r.token)).size, 1);
      } finally {
        await f.stop();
      }
    });

    it('refreshes ahead in the background: a caller with a valid token never waits, even on a hung endpoint', async () => {
      await start();
      try {
        // A managed-identity host that renews its cached token 10 minutes before expiry.
        f.identity.configureServerCache({ renewBeforeSeconds: 600 });
        const first = await f.provider.getToken(vaultScope);
        f.identity.script(target, { kind: 'hang' });
        await f.clock.advance(first.refreshAfterTimestamp - f.clock.now());
        await waitUntil(() => requests() === 2, 'the background refresh to reach the endpoint');
        const during = await f.provider.getToken(vaultScope);
        assert.equal(during.token, first.token);
        assert.equal(during.fromCache, true);
        // The hung refresh hits its deadline, then the back-off (>= 5 s), then succeeds.
        await f.clock.advance(10_000);
        await waitUntil(() => f.eventsOf('refresh-failed').length === 1, 'refresh-failed');
        assert.equal(f.eventsOf('refresh-failed')[0]?.error.code, unreachable);
        await f.clock.advance(4_999);
        assert.equal(requests(), 2, 'no retry before the first back-off step');
        await f.clock.advance(1);
        await waitUntil(() => f.eventsOf('refreshed').length === 1, 'the retried refresh');
        const refreshed = await f.provider.getToken(vaultScope);
        assert.notEqual(refreshed.token, first.token);
        assert.ok(refreshed.expiresOnTimestamp > first.expiresOnTimestamp);
      } finally {
        await f.stop();
      }
    });

    it('a failing refresh keeps serving the valid token and retries on the back-off schedule until it expires', async () => {
      await start();
      try {
        const first = await f.provider.getToken(vaultScope);
        f.identity.setPersistentFault(target, { kind: 'status', status: 503 });
        const refreshAt = first.refreshAfterTimestamp;
        await f.clock.advance(refreshAt - f.clock.now());
        // Walk to just before the token stops being served, asking every 10 s like a busy worker.
        const servableUntil = first.expiresOnTimestamp - 30_000;
        while (f.clock.now() + 10_000 < servableUntil) {
          await f.clock.advance(10_000);
          const token = await f.provider.getToken(vaultScope);
          assert.equal(token.token, first.token);
        }
        const gaps = requestTimes().slice(1).map((t, i, all) => (i === 0 ? t - refreshAt : t - (all[i - 1] as number)));
        assert.ok(gaps.length >= 4, `several attempts were made (${gaps.length})`);
        assert.ok(gaps[0] !== undefined && gaps[0] < 1_000, 'the first refresh attempt is at the refresh time');
        const retryGaps = gaps.slice(1);
        assert.deepEqual(retryGaps.slice(0, 3), [5_000, 10_000, 20_000], 'exponential back-off from 5 s');
        assert.ok(retryGaps.every((gap) => gap >= 5_000), 'never a retry faster than 5 s');
        assert.ok(f.eventsOf('refresh-failed').length === gaps.length);
        // The last moment: inside its final 30 s the token is still served while refresh keeps
        // failing; once it has truly expired, callers get the classified error.
        await f.clock.advance(servableUntil + 1_000 - f.clock.now());
        const lastMoment = await f.provider.getToken(vaultScope);
        assert.equal(lastMoment.token, first.token);
        assert.equal(lastMoment.fromCache, true);
        await f.clock.advance(first.expiresOnTimestamp - f.clock.now());
        const error = (await rejectionOf(f.provider.getToken(vaultScope))) as TokenError;
        assert.ok(isTokenError(error));
        assert.equal(error.code, serverError);
        assert.ok(error.retryAt !== undefined && error.retryAt > f.clock.now() - 1, 'the error says when the next request goes out');
        assert.ok(f.eventsOf('failed').length >= 1);
      } finally {
        await f.stop();
      }
    });

    for (const variant of ['delay-seconds', 'HTTP-date'] as const) {
      it(`after a 429 with Retry-After (${variant}) no request is sent before it passes, whichever caller asks`, async () => {
        await start();
        try {
          const retryAfter = variant === 'delay-seconds' ? '30' : new Date(Math.ceil((f.clock.now() + 30_000) / 1000) * 1000).toUTCString();
          const gateOpens = variant === 'delay-seconds' ? f.clock.now() + 30_000 : Date.parse(retryAfter);
          f.identity.script(target, { kind: 'status', status: 429, retryAfter });
          const first = (await rejectionOf(f.provider.getToken(vaultScope))) as TokenError;
          assert.equal(first.code, 'throttled');
          assert.equal(first.status, 429);
          assert.ok(first.retryable);
          assert.equal(f.eventsOf('throttled').length, 1);
          // Every caller, any scope of this identity, fails fast until the gate opens.
          while (f.clock.now() < gateOpens - 1_000) {
            await f.clock.advance(1_000);
            const [a, b] = await Promise.all([rejectionOf(f.provider.getToken(vaultScope)), rejectionOf(f.provider.getToken(sqlScope))]);
            assert.equal((a as TokenError).code, 'throttled');
            assert.equal((b as TokenError).code, 'throttled');
            assert.equal((a as TokenError).retryAt, gateOpens);
            assert.ok(((a as TokenError).retryAfterMs ?? 0) > 0);
          }
          assert.equal(requests(), 1);
          await f.clock.advance(gateOpens - f.clock.now());
          const token = await f.provider.getToken(vaultScope);
          assert.ok(f.identity.wasIssued(token.token));
          assert.equal(requests(), 2);
        } finally {
          await f.stop();
        }
      });
    }

    it('a 429 without Retry-After still closes the gate for at least 5 s', async () => {
      await start();
      try {
        f.identity.script(target, { kind: 'status', status: 429 });
        assert.equal(((await rejectionOf(f.provider.getToken(vaultScope))) as TokenError).code, 'throttled');
        await assertGateOpensIn(f, 5_000);
      } finally {
        await f.stop();
      }
    });

    it('5xx without Retry-After: exponential back-off, first retry at least 5 s after the response; no pipeline retries', async () => {
      await start();
      try {
        f.identity.setPersistentFault(target, { kind: 'status', status: 500 });
        const attempts: number[] = [];
        for (let second = 0; second <= 80; second += 1) {
          const before = requests();
          const error = (await rejectionOf(f.provider.getToken(vaultScope))) as TokenError;
          assert.equal(error.code, serverError);
          if (requests() > before) attempts.push(f.clock.now());
          assert.ok(requests() - before <= 1, 'one request per attempt: the SDK pipeline does not retry');
          await f.clock.advance(1_000);
        }
        const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] as number));
        assert.deepEqual(gaps, [5_000, 10_000, 20_000, 30_000], 'doubling from 5 s, capped at 30 s');
      } finally {
        await f.stop();
      }
    });

    it('5xx with Retry-After: honoured over the back-off', async () => {
      await start();
      try {
        f.identity.script(target, { kind: 'status', status: 503, retryAfter: '12' });
        const error = (await rejectionOf(f.provider.getToken(vaultScope))) as TokenError;
        assert.equal(error.retryAfterMs, 12_000);
        await assertGateOpensIn(f, 12_000);
      } finally {
        await f.stop();
      }
    });

    it('a hung endpoint becomes a classified, retryable error at the request deadline', async () => {
      await start(3_000);
      try {
        f.identity.script(target, { kind: 'hang' });
        const pending = rejectionOf(f.provider.getToken(vaultScope));
        await waitUntil(() => requests() === 1, 'the request to arrive');
        await f.clock.advance(3_000);
        const error = (await pending) as TokenError;
        assert.equal(error.code, unreachable);
        assert.ok(error.retryable);
        assert.match(error.message, /deadline/);
      } finally {
        await f.stop();
      }
    });

    it('a caller can stop waiting (AbortSignal) without cancelling the shared request', async () => {
      await start();
      try {
        f.identity.script(target, { kind: 'delay', ms: 100 });
        const controller = new AbortController();
        const abandoned = rejectionOf(f.provider.getToken(vaultScope, { signal: controller.signal }));
        const patient = f.provider.getToken(vaultScope);
        controller.abort(new Error('invocation cancelled'));
        assert.match(String(await abandoned), /invocation cancelled/);
        assert.ok(f.identity.wasIssued((await patient).token));
        assert.equal(requests(), 1);
      } finally {
        await f.stop();
      }
    });
  });
}
