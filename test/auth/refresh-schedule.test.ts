/**
 * When the background refresh goes out: at the refresh time when a caller has used the token, at
 * the gate's opening when a pause holds it, after the refresh floor when the key's last request
 * was recent, and never for a token that is no longer served (the next caller asks) nor from a
 * closed provider. A scripted source on virtual time; no sockets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenError } from '../../src/auth/errors.js';
import type { TokenEvent } from '../../src/auth/events.js';
import { ResilientTokenProvider } from '../../src/auth/provider.js';
import type { TokenResponse, TokenSource } from '../../src/auth/token-source.js';
import { VirtualClock } from '../support/scheduled-clock.js';

const vault = 'https://vault.azure.net/.default';
const sql = 'https://database.windows.net/.default';
const second = 1_000;
const minute = 60 * second;
const hour = 60 * minute;
/** A one-hour token: refreshed 5 min before expiry, served until 30 s before it. */
const refreshAfterMs = 55 * minute;
const servableMs = hour - 30 * second;

interface Sent {
  scope: string;
  at: number;
}

/** Answers each request with a fresh one-hour token, or with the next queued failure. */
function scriptedSource(clock: VirtualClock): TokenSource & { sent: Sent[]; failNext(error: TokenError): void } {
  const failures: TokenError[] = [];
  const source = {
    kind: 'managed-identity' as const,
    identity: 'managed-identity:system',
    sent: [] as Sent[],
    failNext(error: TokenError) {
      failures.push(error);
    },
    requestToken(scope: string): Promise<TokenResponse> {
      source.sent.push({ scope, at: clock.now() });
      const failure = failures.shift();
      if (failure) return Promise.reject(failure);
      const now = clock.now();
      return Promise.resolve({ accessToken: `token-${source.sent.length}`, receivedAt: now, expiresOnTimestamp: now + hour });
    },
  };
  return source;
}

function start(): { clock: VirtualClock; source: ReturnType<typeof scriptedSource>; provider: ResilientTokenProvider; events: TokenEvent[] } {
  const clock = new VirtualClock();
  const source = scriptedSource(clock);
  const events: TokenEvent[] = [];
  // No jitter anywhere: the schedule is exact.
  const provider = new ResilientTokenProvider(source, { clock, backoff: { random: () => 0 }, refreshJitter: { ratio: 0 }, events: (e) => events.push(e) });
  return { clock, source, provider, events };
}

const throttled = (retryAfterMs: number): TokenError => new TokenError('throttled', 'Too many requests', { status: 429, retryAfterMs, retryable: true });
const kinds = (events: TokenEvent[]): string[] => events.filter((e) => e.type === 'acquired' || e.type === 'refreshed').map((e) => e.type);

describe('refresh ahead: when the background request goes out', () => {
  it('a caller served at the refresh time of a token nobody has used yet starts its refresh at once', async () => {
    const { clock, source, provider } = start();
    try {
      const t0 = clock.now();
      await provider.getToken(vault);
      // The refresh ahead of the first token goes out; nobody uses its answer, so its own refresh time passes quietly.
      await clock.advance(refreshAfterMs);
      assert.equal(source.sent.length, 2);
      const secondRefreshAt = t0 + 2 * refreshAfterMs;
      await clock.advance(secondRefreshAt - clock.now());
      assert.equal(source.sent.length, 2, 'no refresh of a token no caller has used');
      const served = await provider.getToken(vault);
      assert.deepEqual([served.token, served.fromCache], ['token-2', true], 'the caller does not wait');
      await clock.advance(0);
      assert.deepEqual(source.sent.at(-1), { scope: vault, at: secondRefreshAt }, 'its hit sent the refresh');
      assert.equal((await provider.getToken(vault)).token, 'token-3');
    } finally {
      provider.close();
    }
  });

  it("a refresh due while another scope's throttling holds the identity's gate goes out when the gate opens, without waiting for a caller", async () => {
    const { clock, source, provider, events } = start();
    try {
      const t0 = clock.now();
      await provider.getToken(vault);
      await clock.advance(refreshAfterMs - 10 * second);
      source.failNext(throttled(60 * second));
      await assert.rejects(provider.getToken(sql), { code: 'throttled' });
      const opensAt = clock.now() + 60 * second;
      await clock.advance(opensAt - clock.now() - 1);
      assert.deepEqual(source.sent.map((s) => s.scope), [vault, sql], 'nothing while the gate is closed');
      await clock.advance(1);
      assert.deepEqual(source.sent.at(-1), { scope: vault, at: opensAt }, 'the refresh went out at the opening');
      assert.deepEqual(kinds(events), ['acquired', 'refreshed']);
      assert.ok(opensAt < t0 + servableMs);
    } finally {
      provider.close();
    }
  });

  it("a refresh due within the refresh floor of a caller's own request waits for the floor (5 s), then goes out without a caller", async () => {
    const { clock, source, provider, events } = start();
    try {
      const first = await provider.getToken(vault);
      // A second before the refresh time, a caller refuses the token; its request is throttled for 1 s.
      await clock.advance(refreshAfterMs - second);
      const callerSentAt = clock.now();
      source.failNext(throttled(second));
      const kept = await provider.getToken(vault, { refusedToken: first.token });
      assert.equal(kept.token, first.token, 'while nothing better comes, the valid token is kept');
      // The gate opens at the refresh time, but the floor since the caller's request has not passed.
      await clock.advance(first.refreshAfterTimestamp - clock.now());
      assert.equal(source.sent.length, 2, 'no request at the refresh time: the floor has 4 s to run');
      await clock.advance(callerSentAt + 5 * second - clock.now() - 1);
      assert.equal(source.sent.length, 2);
      await clock.advance(1);
      assert.deepEqual(source.sent.at(-1), { scope: vault, at: callerSentAt + 5 * second }, 'the refresh went out when the floor passed');
      assert.deepEqual(kinds(events), ['acquired', 'refreshed']);
    } finally {
      provider.close();
    }
  });

  it("a token got by refusing the old one is refreshed at its own refresh time, not at the old token's", async () => {
    const { clock, source, provider } = start();
    try {
      const first = await provider.getToken(vault);
      await clock.advance(10 * minute);
      const second = await provider.getToken(vault, { refusedToken: first.token });
      assert.equal(second.token, 'token-2');
      assert.deepEqual(clock.pendingTimers(), [second.refreshAfterTimestamp], "the old token's refresh is replaced");
      await clock.advance(first.refreshAfterTimestamp - clock.now());
      assert.equal(source.sent.length, 2, "nothing at the old token's refresh time");
      await clock.advance(second.refreshAfterTimestamp - clock.now());
      assert.deepEqual(source.sent.at(-1), { scope: vault, at: second.refreshAfterTimestamp });
    } finally {
      provider.close();
    }
  });

  it('a failed refresh whose gate opens only as the token stops being served plans no retry: the next caller asks in the foreground', async () => {
    const { clock, source, provider, events } = start();
    try {
      const first = await provider.getToken(vault);
      const servableUntil = first.expiresOnTimestamp - 30 * second;
      source.failNext(throttled(servableUntil - first.refreshAfterTimestamp));
      await clock.advance(first.refreshAfterTimestamp - clock.now());
      assert.equal(events.filter((e) => e.type === 'refresh-failed').length, 1);
      assert.deepEqual(clock.pendingTimers(), [], 'no refresh planned for the moment the token stops being served');
      await clock.advance(servableUntil - clock.now());
      assert.equal(source.sent.length, 2);
      const next = await provider.getToken(vault);
      assert.deepEqual([next.token, next.fromCache], ['token-3', false]);
      assert.deepEqual(kinds(events), ['acquired', 'acquired']);
    } finally {
      provider.close();
    }
  });

  for (const late of [0, 1]) {
    it(`a refresh timer that fires late, ${late} ms past the token's last servable moment (a frozen instance), sends nothing; the next caller gets a token in the foreground`, async () => {
      const { clock, source, provider, events } = start();
      try {
        const first = await provider.getToken(vault);
        await clock.advance(minute);
        await clock.resume(first.expiresOnTimestamp - 30 * second + late - clock.now());
        assert.equal(source.sent.length, 1, 'the overdue refresh timer sent nothing');
        const next = await provider.getToken(vault);
        assert.deepEqual([next.token, next.fromCache], ['token-2', false]);
        assert.deepEqual(kinds(events), ['acquired', 'acquired']);
      } finally {
        provider.close();
      }
    });
  }
});

describe('close()', () => {
  it('after close(), a caller served past the refresh time starts no refresh', async () => {
    const { clock, source, provider } = start();
    const first = await provider.getToken(vault);
    provider.close();
    await clock.advance(first.refreshAfterTimestamp - clock.now() + minute);
    assert.equal((await provider.getToken(vault)).token, first.token);
    await clock.advance(0);
    assert.equal(source.sent.length, 1);
  });

  it('after close(), a token acquired for a caller plans no refresh: no timer is left behind', async () => {
    const { clock, source, provider } = start();
    const first = await provider.getToken(vault);
    provider.close();
    assert.deepEqual(clock.pendingTimers(), []);
    await clock.advance(minute);
    const second = await provider.getToken(vault, { refusedToken: first.token });
    assert.equal(second.token, 'token-2');
    assert.deepEqual(clock.pendingTimers(), [], 'the closed provider keeps no timer');
    await clock.advance(hour);
    assert.equal(source.sent.length, 2);
  });
});
