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

/** A source that answers each request with a fresh one-hour token, or with the queued failure. */
function scriptedSource(clock: VirtualClock): TokenSource & { requests: number; failNext(error: TokenError): void } {
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
      return Promise.resolve({ accessToken: `token-${source.requests}`, receivedAt: now, expiresOnTimestamp: now + hour });
    },
  };
  return source;
}

function start(): { clock: VirtualClock; source: ReturnType<typeof scriptedSource>; provider: ResilientTokenProvider } {
  const clock = new VirtualClock();
  const source = scriptedSource(clock);
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
});
