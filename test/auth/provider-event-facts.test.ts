/**
 * The facts each provider event carries, which telemetry turns into durations, expiries and
 * invocation ids: measured on the injected clock, stamped with the right invocation. A scripted
 * token source that takes 250 ms of virtual time per request; no sockets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenError } from '../../src/auth/errors.js';
import type { InvocationInfo, TokenEvent } from '../../src/auth/events.js';
import { ResilientTokenProvider, type ProviderOptions } from '../../src/auth/provider.js';
import type { RequestContext, TokenResponse, TokenSource } from '../../src/auth/token-source.js';
import { VirtualClock } from '../support/scheduled-clock.js';
import { rejectionOf } from './provider-fixture.js';

const vault = 'https://vault.azure.net/.default';
const sql = 'https://database.windows.net/.default';
const hour = 3_600_000;
const requestMs = 250;

function slowSource(clock: VirtualClock): TokenSource & { failNext?: TokenError | undefined } {
  let requests = 0;
  const source: TokenSource & { failNext?: TokenError | undefined } = {
    kind: 'managed-identity',
    identity: 'managed-identity:system',
    async requestToken(_scope: string, context: RequestContext): Promise<TokenResponse> {
      requests += 1;
      const started = clock.now();
      await clock.sleep(requestMs);
      context.report({ target: 'http://127.0.0.1:1', name: 'GET /msi/token', durationMs: clock.now() - started, status: 200, success: true });
      const failure = source.failNext;
      source.failNext = undefined;
      if (failure) throw failure;
      return { accessToken: `token-${requests}`, receivedAt: clock.now(), expiresOnTimestamp: clock.now() + hour };
    },
  };
  return source;
}

function start(options: ProviderOptions = {}): { clock: VirtualClock; source: ReturnType<typeof slowSource>; provider: ResilientTokenProvider; events: TokenEvent[] } {
  const clock = new VirtualClock();
  const events: TokenEvent[] = [];
  const source = slowSource(clock);
  const provider = new ResilientTokenProvider(source, { clock, backoff: { random: () => 0 }, events: (event) => events.push(event), ...options });
  return { clock, source, provider, events };
}

/** Settles `work` while virtual time moves past one request (its outcome is observed from the start). */
async function overOneRequest<T>(clock: VirtualClock, work: Promise<T>): Promise<T> {
  const [outcome] = await Promise.allSettled([work, clock.advance(requestMs)]);
  if (outcome.status === 'rejected') throw outcome.reason;
  return outcome.value;
}

describe('provider event facts', () => {
  it('acquired: how long the request took on the clock, the expiry and the planned refresh, stamped when it arrived', async () => {
    const { clock, provider, events } = start();
    try {
      const startedAt = clock.now();
      const token = await overOneRequest(clock, provider.getToken(vault));
      const acquired = events.find((e) => e.type === 'acquired');
      assert.ok(acquired?.type === 'acquired');
      assert.deepEqual(
        [acquired.at, acquired.durationMs, acquired.expiresOnTimestamp, acquired.refreshAfterTimestamp, acquired.background, acquired.scope, acquired.source],
        [startedAt + requestMs, requestMs, token.expiresOnTimestamp, token.refreshAfterTimestamp, false, vault, 'managed-identity'],
      );
      const request = events.find((e) => e.type === 'identity-request');
      assert.ok(request?.type === 'identity-request');
      assert.deepEqual([request.durationMs, request.background, request.success], [requestMs, false, true]);
    } finally {
      provider.close();
    }
  });

  it('the background refresh: identity-request and refreshed, both marked background, neither charged to an invocation', async () => {
    const invocation: InvocationInfo = { invocationId: 'inv-1', functionName: 'sweep' };
    const { clock, provider, events } = start({ currentInvocation: () => invocation });
    try {
      const token = await overOneRequest(clock, provider.getToken(vault));
      await clock.advance(token.refreshAfterTimestamp - clock.now() + requestMs);
      const refreshed = events.find((e) => e.type === 'refreshed');
      assert.ok(refreshed?.type === 'refreshed');
      assert.deepEqual([refreshed.background, refreshed.durationMs, refreshed.invocation], [true, requestMs, undefined]);
      assert.deepEqual(
        events.filter((e) => e.type === 'identity-request').map((e) => e.type === 'identity-request' && [e.background, e.invocation?.invocationId]),
        [
          [false, 'inv-1'],
          [true, undefined],
        ],
      );
    } finally {
      provider.close();
    }
  });

  it('served-from-cache (when asked for): the time left on the token', async () => {
    const { clock, provider, events } = start({ cacheHitEvents: true });
    try {
      const token = await overOneRequest(clock, provider.getToken(vault));
      await clock.advance(60_000);
      await provider.getToken(vault);
      const hit = events.find((e) => e.type === 'served-from-cache');
      assert.ok(hit?.type === 'served-from-cache');
      assert.equal(hit.expiresInMs, token.expiresOnTimestamp - clock.now());
    } finally {
      provider.close();
    }
  });

  it("cache-miss: 'cold' without a token, 'expired' with one too close to its expiry", async () => {
    const { clock, provider, events } = start();
    try {
      await overOneRequest(clock, provider.getToken(vault));
      provider.close(); // no background refresh
      await clock.advance(hour - 10_000);
      await overOneRequest(clock, provider.getToken(vault));
      assert.deepEqual(
        events.filter((e) => e.type === 'cache-miss').map((e) => e.type === 'cache-miss' && e.reason),
        ['cold', 'expired'],
      );
    } finally {
      provider.close();
    }
  });

  it("the caller's invocation id: its own when it names one, else the ambient invocation with all its ids", async () => {
    const ambient: InvocationInfo = { invocationId: 'inv-ambient', functionName: 'sweep', operationId: 'a'.repeat(32), parentId: 'b'.repeat(16) };
    const { clock, source, provider, events } = start({ currentInvocation: () => ambient });
    try {
      source.failNext = new TokenError('token_request_rejected', 'no', { status: 400 });
      const own = await rejectionOf(overOneRequest(clock, provider.getToken(vault, { invocationId: 'inv-own' })));
      assert.equal((own as TokenError).invocationId, 'inv-own');
      source.failNext = new TokenError('token_request_rejected', 'no', { status: 400 });
      await rejectionOf(overOneRequest(clock, provider.getToken(sql, { invocationId: 'inv-ambient' })));
      const failed = events.filter((e) => e.type === 'failed');
      assert.deepEqual(failed.map((e) => e.invocation), [{ invocationId: 'inv-own' }, ambient]);
    } finally {
      provider.close();
    }
  });

  it("a caller's throttled request: the throttled event carries that caller's invocation id, on the event and on its error", async () => {
    const { clock, source, provider, events } = start();
    try {
      source.failNext = new TokenError('throttled', 'Too many requests', { status: 429, retryAfterMs: 30_000, retryable: true });
      await rejectionOf(overOneRequest(clock, provider.getToken(vault, { invocationId: 'inv-7' })));
      const throttled = events.filter((e) => e.type === 'throttled');
      assert.deepEqual(
        throttled.map((e) => e.type === 'throttled' && [e.background, e.invocation?.invocationId, e.error.invocationId, e.retryAfterMs]),
        [[false, 'inv-7', 'inv-7', 30_000]],
      );
    } finally {
      provider.close();
    }
  });

  it("a caller's failed request that is not throttling (a 503) raises no throttled event, and no refresh-failed: the caller's own failed event reports it", async () => {
    const { clock, source, provider, events } = start();
    try {
      source.failNext = new TokenError('managed_identity_failed_response', 'HTTP 503', { status: 503, retryable: true });
      await rejectionOf(overOneRequest(clock, provider.getToken(vault, { invocationId: 'inv-8' })));
      assert.deepEqual(
        events.filter((e) => e.type !== 'identity-request').map((e) => e.type),
        ['cache-miss', 'failed'],
      );
    } finally {
      provider.close();
    }
  });

  it('an invalid scope fails with a failed event that says no request was sent', async () => {
    const { provider, events } = start();
    try {
      await rejectionOf(provider.getToken('https://vault.azure.net'));
      const failed = events.filter((e) => e.type === 'failed');
      assert.deepEqual(failed.map((e) => e.type === 'failed' && [e.error.code, e.requestSent]), [['invalid_scope', false]]);
    } finally {
      provider.close();
    }
  });

  it('toJSON counts the scopes that hold a token, not those that only failed', async () => {
    const { clock, source, provider } = start();
    try {
      await overOneRequest(clock, provider.getToken(vault));
      source.failNext = new TokenError('token_request_rejected', 'no', { status: 400 });
      await rejectionOf(overOneRequest(clock, provider.getToken(sql)));
      assert.deepEqual(provider.toJSON(), { identity: 'managed-identity:system', source: 'managed-identity', cachedScopes: 1 });
    } finally {
      provider.close();
    }
  });
});
