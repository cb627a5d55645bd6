/**
 * The cache-hit path: what a hit costs (a counter, no new object) and what the provider can tell
 * about its cache on demand. A scripted token source on virtual time; no sockets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenError } from '../../src/auth/errors.js';
import { ResilientTokenProvider } from '../../src/auth/provider.js';
import type { TokenResponse, TokenSource } from '../../src/auth/token-source.js';
import { VirtualClock } from '../support/scheduled-clock.js';
import { rejectionOf } from './provider-fixture.js';

const vault = 'https://vault.azure.net/.default';
const sql = 'https://database.windows.net/.default';
const hour = 3_600_000;

/** A source that answers each request with a fresh token (one hour unless told), or with the queued failure. */
function scriptedSource(clock: VirtualClock, lifetimeMs = hour): TokenSource & { requests: number; failNext(error: TokenError): void } {
  const failures: TokenError[] = [];
  const source = {
    kind: 'managed-identity' as const,
    identity: 'managed-identity:system',
    requests: 0,
    failNext(error: TokenError) {
      failures.push(error);
    },
    requestToken(): Promise<TokenResponse> {
      source.requests += 1;
      const failure = failures.shift();
      if (failure) return Promise.reject(failure);
      const now = clock.now();
      return Promise.resolve({ accessToken: `token-${source.requests}`, receivedAt: now, expiresOnTimestamp: now + lifetimeMs });
    },
  };
  return source;
}

function start(lifetimeMs = hour): { clock: VirtualClock; source: ReturnType<typeof scriptedSource>; provider: ResilientTokenProvider } {
  const clock = new VirtualClock();
  const source = scriptedSource(clock, lifetimeMs);
  return { clock, source, provider: new ResilientTokenProvider(source, { clock, backoff: { random: () => 0 } }) };
}

describe('the cache-hit path', () => {
  it('every caller served the same cached token gets one shared, frozen result', async () => {
    const { provider } = start();
    try {
      const first = await provider.getToken(vault);
      assert.equal(first.fromCache, false);
      const [a, b] = await Promise.all([provider.getToken(vault), provider.getToken(vault)]);
      assert.equal(a, b, 'the same object');
      assert.equal(a?.fromCache, true);
      assert.equal(a?.token, first.token);
      assert.ok(Object.isFrozen(a), 'frozen, so no caller can change what the others see');
      assert.equal(provider.getToken(vault), provider.getToken(vault), 'even the promise is shared: a hit allocates nothing');
    } finally {
      provider.close();
    }
  });

  it('the TokenCredential adapter hands out one shared, frozen AccessToken per cached token', async () => {
    const { provider } = start();
    try {
      const first = await provider.credential.getToken(vault);
      const [a, b] = await Promise.all([provider.credential.getToken(vault), provider.credential.getToken([vault])]);
      assert.equal(a, b);
      assert.ok(Object.isFrozen(a));
      assert.deepEqual(a, first);
      assert.equal(a?.tokenType, 'Bearer');
    } finally {
      provider.close();
    }
  });

  it('a new token gets a new shared result', async () => {
    const { clock, provider } = start();
    try {
      const before = await provider.getToken(vault);
      await provider.getToken(vault);
      await clock.advance(hour - 5 * 60_000); // past refresh-ahead: the background refresh runs
      const after = await provider.getToken(vault);
      assert.notEqual(after.token, before.token);
      assert.equal(await provider.getToken(vault), after);
    } finally {
      provider.close();
    }
  });
});

describe('the cache-hit path while refresh is paused', () => {
  it('hits past the refresh time, while the gate is closed, do not re-arm the refresh timer on every call', async () => {
    const clock = new VirtualClock();
    let timersArmed = 0;
    const counting = { now: clock.now, sleep: clock.sleep.bind(clock), schedule: (ms: number, task: () => void) => ((timersArmed += 1), clock.schedule(ms, task)) };
    const source = scriptedSource(clock);
    const provider = new ResilientTokenProvider(source, { clock: counting, backoff: { random: () => 0 } });
    try {
      const token = await provider.getToken(vault);
      source.failNext(new TokenError('throttled', 'Too many requests', { status: 429, retryAfterMs: 60_000, retryable: true }));
      await clock.advance(token.refreshAfterTimestamp - clock.now()); // the refresh is throttled: the gate closes for 60 s
      assert.equal(source.requests, 2);
      const armed = timersArmed;
      for (let i = 0; i < 1_000; i += 1) assert.equal((await provider.getToken(vault)).token, token.token);
      assert.equal(timersArmed, armed, 'the retry planned for the gate opening stands');
      await clock.advance(60_000);
      assert.equal(source.requests, 3, 'and it runs when the gate opens');
    } finally {
      provider.close();
    }
  });
});

describe('cacheStats()', () => {
  it('counts hits and cold and expired misses per scope, and tells the expiry of the token held', async () => {
    const { clock, source, provider } = start();
    try {
      const empty = provider.cacheStats();
      assert.deepEqual(empty, { identity: 'managed-identity:system', source: 'managed-identity', at: clock.now(), scopes: [] });
      const token = await provider.getToken(vault);
      for (let i = 0; i < 3; i += 1) await provider.getToken(vault);
      await provider.credential.getToken(vault);
      await provider.getToken(sql);
      const stats = provider.cacheStats();
      assert.equal(stats.at, clock.now());
      assert.deepEqual(stats.scopes, [
        { scope: vault, hits: 4, coldMisses: 1, expiredMisses: 0, expiresOnTimestamp: token.expiresOnTimestamp },
        { scope: sql, hits: 0, coldMisses: 1, expiredMisses: 0, expiresOnTimestamp: clock.now() + hour },
      ]);
      // No background refresh (closed), so an hour later the next caller finds the token expired.
      provider.close();
      source.failNext(new TokenError('managed_identity_failed_response', 'down', { retryable: true }));
      await clock.advance(hour);
      await rejectionOf(provider.getToken(vault));
      assert.equal(provider.cacheStats().scopes[0]?.expiredMisses, 1);
    } finally {
      provider.close();
    }
  });

  it('lists a scope whose first request failed, with no expiry: it holds no token', async () => {
    const { source, provider } = start();
    try {
      source.failNext(new TokenError('managed_identity_failed_response', 'down', { retryable: true }));
      await rejectionOf(provider.getToken(vault));
      assert.deepEqual(provider.cacheStats().scopes, [{ scope: vault, hits: 0, coldMisses: 1, expiredMisses: 0, expiresOnTimestamp: undefined }]);
    } finally {
      provider.close();
    }
  });

  it('holds no token: it is safe to log', async () => {
    const { provider } = start();
    try {
      const { token } = await provider.getToken(vault);
      assert.ok(!JSON.stringify(provider.cacheStats()).includes(token));
    } finally {
      provider.close();
    }
  });

  it('an invalid scope or an aborted caller is neither a hit nor a miss', async () => {
    const { provider } = start();
    try {
      await provider.getToken(vault);
      await rejectionOf(provider.getToken('https://vault.azure.net'));
      await rejectionOf(provider.getToken(vault, { signal: AbortSignal.abort(new Error('gone')) }));
      assert.deepEqual(provider.cacheStats().scopes.map((s) => [s.scope, s.hits, s.coldMisses, s.expiredMisses]), [[vault, 0, 1, 0]]);
    } finally {
      provider.close();
    }
  });
});

describe('the last moment (inside the skew window, before expiry)', () => {
  it('a caller whose request fails gets the old token, marked as from the cache, until it truly expires', async () => {
    const { clock, source, provider } = start();
    try {
      const token = await provider.getToken(vault);
      provider.close(); // no background refresh: the next caller finds the token in its skew window
      await clock.advance(hour - 10_000);
      source.failNext(new TokenError('identity_platform_unavailable', 'HTTP 503', { status: 503, retryable: true }));
      const last = await provider.getToken(vault);
      assert.equal(source.requests, 2, 'the caller asked for a new token first');
      assert.deepEqual([last.token, last.fromCache, last.expiresOnTimestamp], [token.token, true, token.expiresOnTimestamp]);
    } finally {
      provider.close();
    }
  });

  it('a token is served up to its last servable moment (30 s before expiry), not at it: the caller there gets a new one', async () => {
    const { clock, source, provider } = start();
    try {
      const token = await provider.getToken(vault);
      provider.close(); // no background refresh
      const servableUntil = token.expiresOnTimestamp - 30_000;
      await clock.advance(servableUntil - clock.now() - 1);
      assert.deepEqual([(await provider.getToken(vault)).token, source.requests], [token.token, 1]);
      await clock.advance(1);
      const next = await provider.getToken(vault);
      assert.deepEqual([next.token, next.fromCache, source.requests], ['token-2', false, 2]);
    } finally {
      provider.close();
    }
  });

  it('inside its last 30 s the token is served while the refresh floor (5 s) since the last request runs: the platform has nothing newer yet; then the next caller asks again', async () => {
    const { clock, source, provider } = start();
    try {
      const token = await provider.getToken(vault);
      provider.close();
      await clock.advance(token.expiresOnTimestamp - 30_000 - clock.now());
      source.failNext(new TokenError('throttled', 'Too many requests', { status: 429, retryAfterMs: 1_000, retryable: true }));
      assert.equal((await provider.getToken(vault)).token, token.token, 'the request failed: the valid token is kept');
      assert.equal(source.requests, 2);
      await clock.advance(5_000 - 1); // the gate opened after 1 s; the floor runs 4 s more
      const during = await provider.getToken(vault);
      assert.deepEqual([during.token, during.fromCache, source.requests], [token.token, true, 2]);
      await clock.advance(1);
      const next = await provider.getToken(vault);
      assert.deepEqual([next.token, next.fromCache, source.requests], ['token-3', false, 3]);
    } finally {
      provider.close();
    }
  });

  it("an expired token is never served, even while the gate is closed: at its expiry the caller gets the pause's error", async () => {
    const { clock, source, provider } = start();
    try {
      const token = await provider.getToken(vault);
      provider.close();
      await clock.advance(token.expiresOnTimestamp - 30_000 - clock.now());
      source.failNext(new TokenError('throttled', 'Too many requests', { status: 429, retryAfterMs: 60_000, retryable: true }));
      await provider.getToken(vault);
      const opensAt = clock.now() + 60_000;
      await clock.advance(token.expiresOnTimestamp - clock.now() - 1);
      assert.equal((await provider.getToken(vault)).token, token.token, 'the last millisecond of its life: still served');
      await clock.advance(1);
      const error = await rejectionOf(provider.getToken(vault));
      assert.ok(error instanceof TokenError);
      assert.deepEqual([error.code, error.retryAt, source.requests], ['throttled', opensAt, 2]);
    } finally {
      provider.close();
    }
  });

  it('a 60 s token is served until its last quarter (15 s before expiry): the 30 s margin shrinks for short tokens', async () => {
    const { clock, source, provider } = start(60_000);
    try {
      const token = await provider.getToken(vault);
      provider.close();
      await clock.advance(45_000 - 1);
      assert.deepEqual([(await provider.getToken(vault)).token, source.requests], [token.token, 1]);
      await clock.advance(1);
      assert.deepEqual([(await provider.getToken(vault)).token, source.requests], ['token-2', 2]);
    } finally {
      provider.close();
    }
  });
});
