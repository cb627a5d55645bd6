/**
 * Timing rules against endpoints that behave like the real ones: a managed-identity host that
 * hands its cached token out again (same `expires_on`, countdown `expires_in`), Retry-After as
 * the platform's authoritative word, and absurd values that must neither loop nor crash.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTokenProvider } from '../../src/auth/create-provider.js';
import { isTokenError, type TokenError } from '../../src/auth/errors.js';
import type { TokenEvent } from '../../src/auth/events.js';
import { startIdentityEmulator, type IdentityEmulator, type IdentityTarget } from '../../src/sandbox/identity/index.js';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { assertGateOpensIn, rejectionOf, startFixture, vaultScope, type Fixture } from './provider-fixture.js';

const second = 1_000;
let ca: TestCa;
let certificate: ClientCertificate;
before(() => {
  ca = createTestCa();
  certificate = ca.makeClientCertificate('timing-app');
});
after(() => ca.cleanup());

/** Sent times of the token requests, and the gaps between them. */
function gapsOf(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

describe('refresh against a host that caches tokens server-side (injected clock)', () => {
  // Sub-second phases of the first request: the old expiry arithmetic drifted by the phase.
  const variants = [0, 130, 499, 501, 870, 999].flatMap((phaseMs) => [
    { phaseMs, includeExpiresIn: true, answer: 'expires_on + countdown expires_in' },
    { phaseMs, includeExpiresIn: false, answer: 'expires_on only' },
  ]);
  for (const { phaseMs, includeExpiresIn, answer } of variants) {
    it(`a 13 s token (${answer}), callers every 100 ms for 40 s, phase ${phaseMs} ms: no two requests closer than the floor while a token is valid`, async () => {
      const startAt = Math.floor((Date.now() - 12 * 3_600_000) / 1000) * 1000 + phaseMs;
      const f: Fixture = await startFixture({ kind: 'managed-identity', ca, startAt });
      try {
        f.identity.setDefaultLifetime(13, { includeExpiresIn });
        const failures: unknown[] = [];
        for (let t = 0; t < 40 * second; t += 100) {
          try {
            const token = await f.provider.getToken(vaultScope);
            assert.ok(token.expiresOnTimestamp > f.clock.now(), 'never an expired token');
          } catch (error) {
            failures.push(error);
          }
          await f.clock.advance(100);
        }
        const all = f.identity.tokenRequests('mi').map((r) => r.time);
        assert.deepEqual(failures, [], 'no caller failed');
        // 40 s of a 13 s token: about 3 requests per token lifetime, never hundreds.
        assert.ok(all.length <= 12, `${all.length} requests in 40 s`);
        // Half the life of a 13 s token is over 5 s, so the floor is 5 s.
        const floorMs = 5 * second;
        const gaps = gapsOf(all);
        gaps.forEach((gap, i) => {
          const next = all[i + 1] as number;
          const expiredBefore = f.identity.issuedTokens.some((tok) => tok.expiresAt <= next && tok.expiresAt > (all[i] as number));
          assert.ok(gap >= floorMs || expiredBefore, `requests ${i} and ${i + 1} are ${gap} ms apart while a valid token was held`);
        });
        // The host renews only once its token has expired.
        assert.ok(f.identity.issuedTokens.length >= 3, 'new tokens arrive once the old ones expire');
      } finally {
        await f.stop();
      }
    });
  }

  it('a refresh that returns the same token plans the next refresh from the new answer, never in the past', async () => {
    // IMDS-like answers (expires_in and expires_on), first request 700 ms into a second.
    const f = await startFixture({ kind: 'managed-identity', ca, startAt: Math.floor((Date.now() - 12 * 3_600_000) / 1000) * 1000 + 700 });
    try {
      f.identity.setDefaultLifetime(3_600, { includeExpiresIn: true });
      const first = await f.provider.getToken(vaultScope);
      await f.clock.advance(first.refreshAfterTimestamp - f.clock.now());
      const refreshed = f.eventsOf('refreshed');
      assert.equal(refreshed.length, 1, 'the refresh-ahead request went out');
      assert.equal(f.identity.issuedTokens.length, 1, 'and the host answered with the token it holds');
      const nextRefresh = refreshed[0]?.refreshAfterTimestamp ?? 0;
      assert.ok(nextRefresh >= f.clock.now() + 5 * second, 'the next refresh is at least the floor ahead');
      const again = await f.provider.getToken(vaultScope);
      assert.equal(again.token, first.token);
      assert.equal(again.expiresOnTimestamp, first.expiresOnTimestamp, 'expires_on is the same number on every answer');
      assert.equal(f.identity.tokenRequests('mi').length, 2);
      await f.clock.advance(4_999);
      assert.equal(f.identity.tokenRequests('mi').length, 2, 'nothing within the floor');
    } finally {
      await f.stop();
    }
  });
});

describe('refresh against a host that caches tokens server-side (real time)', () => {
  it('a 3 s token at four sub-second phases: a handful of requests, each a floor apart unless the token had expired', async () => {
    const runs = [100, 350, 600, 850].map(async (phaseMs) => {
      // Start at the wanted phase of the wall clock's second.
      await new Promise((resolve) => setTimeout(resolve, (phaseMs - (Date.now() % 1000) + 1000) % 1000));
      const identity: IdentityEmulator = await startIdentityEmulator({ ca, tokenLifetimeSeconds: 3 });
      const events: TokenEvent[] = [];
      const provider = createTokenProvider({
        credential: { kind: 'managed-identity', managedIdentity: { protocol: 'app-service', endpoint: identity.managedIdentityEndpoint, identityHeader: identity.identityHeader } },
        events: (event) => events.push(event),
      });
      const failures: unknown[] = [];
      try {
        const until = Date.now() + 3_600;
        while (Date.now() < until) {
          await provider.getToken(vaultScope).catch((error: unknown) => failures.push(error));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return { phaseMs, failures, times: identity.tokenRequests('mi').map((r) => r.time), expiries: identity.issuedTokens.map((t) => t.expiresAt) };
      } finally {
        provider.close();
        await identity.stop();
      }
    });
    for (const run of await Promise.all(runs)) {
      assert.deepEqual(run.failures, [], `phase ${run.phaseMs}: no caller failed`);
      assert.ok(run.times.length <= 5, `phase ${run.phaseMs}: ${run.times.length} requests in 3.6 s`);
      gapsOf(run.times).forEach((gap, i) => {
        const next = run.times[i + 1] as number;
        const expiredBetween = run.expiries.some((e) => e <= next + 5 && e > (run.times[i] as number));
        // Half-life of a token with 2-3 s to live; 50 ms of slack for timer jitter.
        assert.ok(gap >= 950 || expiredBetween, `phase ${run.phaseMs}: requests ${gap} ms apart while a valid token was held`);
      });
    }
  });
});

const kinds = [
  { kind: 'managed-identity' as const, target: 'mi' as IdentityTarget },
  { kind: 'certificate' as const, target: 'entra' as IdentityTarget },
];

for (const { kind, target } of kinds) {
  describe(`Retry-After is authoritative and bounded (${kind})`, () => {
    const start = (): Promise<Fixture> => startFixture({ kind, ca, certificate });

    for (const status of [429, 503]) {
      it(`a ${status} with Retry-After: 2 opens the gate at 2 s, not later`, async () => {
        const f = await start();
        try {
          f.identity.script(target, { kind: 'status', status, retryAfter: '2' });
          const error = (await rejectionOf(f.provider.getToken(vaultScope))) as TokenError;
          assert.equal(error.retryAt, f.clock.now() + 2_000);
          await assertGateOpensIn(f, 2_000);
        } finally {
          await f.stop();
        }
      });

      it(`a ${status} with an HTTP date 3 s ahead opens the gate then`, async () => {
        const f = await start();
        try {
          const opensAt = Math.ceil((f.clock.now() + 2_500) / 1000) * 1000;
          f.identity.script(target, { kind: 'status', status, retryAfter: new Date(opensAt).toUTCString() });
          await rejectionOf(f.provider.getToken(vaultScope));
          await assertGateOpensIn(f, opensAt - f.clock.now());
        } finally {
          await f.stop();
        }
      });
    }

    for (const retryAfter of ['-3', 'soon', '0']) {
      it(`a 503 with Retry-After '${retryAfter}' counts as absent: the back-off applies, first step 5 s`, async () => {
        const f = await start();
        try {
          f.identity.script(target, { kind: 'status', status: 503, retryAfter });
          await rejectionOf(f.provider.getToken(vaultScope));
          await assertGateOpensIn(f, 5_000);
        } finally {
          await f.stop();
        }
      });
    }

    for (const retryAfter of ['99999999999999', 'Fri, 31 Dec 9999 23:59:59 GMT']) {
      it(`an absurd Retry-After (${retryAfter}) is capped at 1 h and still a throttled TokenError with its telemetry`, async () => {
        const f = await start();
        try {
          f.identity.script(target, { kind: 'status', status: 429, retryAfter });
          const error = await rejectionOf(f.provider.getToken(vaultScope));
          assert.ok(isTokenError(error), String(error));
          assert.equal(error.code, 'throttled');
          assert.equal(error.retryAfterMs, 3_600_000);
          assert.equal(f.eventsOf('throttled').length, 1);
          assert.equal(f.eventsOf('failed').length, 1);
          const later = (await rejectionOf(f.provider.getToken(vaultScope))) as TokenError;
          assert.equal(later.code, 'throttled');
          assert.match(later.message, /no request is sent before \d{4}-/);
          await assertGateOpensIn(f, 3_600_000);
        } finally {
          await f.stop();
        }
      });
    }
  });
}
