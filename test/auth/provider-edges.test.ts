/**
 * The edges a review found: each was a way to send requests faster than the rules allow, to
 * starve healthy scopes, or to crash the worker. Managed identity over the emulator on virtual time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TokenError } from '../../src/auth/errors.js';
import type { Clock } from '../../src/auth/clock.js';
import { ResilientTokenProvider } from '../../src/auth/provider.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { VirtualClock, waitUntil } from '../support/scheduled-clock.js';
import { assertGateOpensIn, rejectionOf, sqlScope, startFixture, vaultScope, type Fixture } from './provider-fixture.js';

let ca: TestCa;
before(() => {
  ca = createTestCa();
});
after(() => ca.cleanup());

describe('provider edges', () => {
  let f: Fixture;
  const requests = (): number => f.identity.tokenRequests('mi').length;

  it('a caller whose signal is already aborted sends nothing, and a failing shared request never becomes an unhandled rejection', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      await assert.rejects(f.provider.getToken(vaultScope, { signal: AbortSignal.abort(new Error('gone')) }), /gone/);
      assert.equal(requests(), 0);
      // Every caller abandons a request that then fails.
      f.identity.script('mi', { kind: 'delay', ms: 30 }, { kind: 'status', status: 500 });
      f.identity.setPersistentFault('mi', { kind: 'status', status: 500 });
      const controller = new AbortController();
      const abandoned = rejectionOf(f.provider.getToken(vaultScope, { signal: controller.signal }));
      controller.abort(new Error('invocation cancelled'));
      await abandoned;
      await waitUntil(() => f.identity.tokenRequests('mi').some((r) => r.status !== undefined), 'the shared request to finish');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await f.stop();
    }
  });

  it('a caller that gives up just as its wait for the gate ends: the request its wake started fails with no unhandled rejection', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    // The caller's deadline passes in the very step in which the gate opens.
    const giveUpOnWake: Clock = {
      now: clock.now,
      schedule: (ms, task) => clock.schedule(ms, task),
      sleep: async (ms, signal) => {
        await clock.sleep(ms, signal);
        controller.abort(new Error('invocation timed out'));
      },
    };
    let requests = 0;
    const provider = new ResilientTokenProvider(
      {
        kind: 'managed-identity',
        identity: 'managed-identity:system',
        requestToken: () => {
          requests += 1;
          return Promise.reject(
            requests === 1
              ? new TokenError('throttled', 'Too many requests', { status: 429, retryAfterMs: 10_000, retryable: true })
              : new TokenError('managed_identity_failed_response', 'HTTP 503', { status: 503, retryable: true }),
          );
        },
      },
      { clock: giveUpOnWake, backoff: { random: () => 0 } },
    );
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await rejectionOf(provider.getToken(vaultScope));
      const caller = rejectionOf(provider.getToken(vaultScope, { maxWaitMs: 30_000, signal: controller.signal }));
      await clock.advance(10_000);
      assert.match(String(await caller), /invocation timed out/);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(requests, 2, 'the request went out at the opening');
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      provider.close();
    }
  });

  it('a slow 200 sent before a 429 does not reopen the gate the 429 closed', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    try {
      f.identity.script('mi', { kind: 'delay', ms: 150 }, { kind: 'status', status: 429, retryAfter: '60' });
      const slow = f.provider.getToken(sqlScope);
      await waitUntil(() => requests() === 1, 'the slow request to arrive');
      const throttled = (await rejectionOf(f.provider.getToken(vaultScope))) as TokenError;
      assert.equal(throttled.code, 'throttled');
      await slow; // the 200 arrives after the 429
      await f.clock.advance(1_000);
      assert.equal(((await rejectionOf(f.provider.getToken(vaultScope))) as TokenError).code, 'throttled');
      assert.equal(requests(), 2, 'no request before Retry-After passes');
      await f.clock.advance(59_000);
      await f.provider.getToken(vaultScope);
      assert.equal(requests(), 3);
    } finally {
      await f.stop();
    }
  });

  for (const status of [429, 503]) {
    it(`a ${status} with Retry-After: 0 still waits at least 5 s`, async () => {
      f = await startFixture({ kind: 'managed-identity', ca });
      try {
        f.identity.script('mi', { kind: 'status', status, retryAfter: '0' });
        const first = (await rejectionOf(f.provider.getToken(vaultScope))) as TokenError;
        assert.equal(first.retryAt, f.clock.now() + 5_000, 'the first caller is told when the next request goes out');
        await assertGateOpensIn(f, 5_000);
      } finally {
        await f.stop();
      }
    });
  }

  it('refresh_in: 0 does not start a refresh loop', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    try {
      f.identity.setDefaultLifetime(3_600, { refreshInSeconds: 0 });
      await f.provider.getToken(vaultScope);
      await f.clock.advance(1_000);
      assert.equal(requests(), 1);
    } finally {
      await f.stop();
    }
  });

  it('a failure only one scope can cause (unknown resource) does not pause the other scopes', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    try {
      f.identity.script('mi', { kind: 'status', status: 400, body: { statusCode: 400, message: 'Unknown resource', correlationId: 'c-1' } });
      const bad = (await rejectionOf(f.provider.getToken('https://typo.example.com/.default'))) as TokenError;
      assert.equal(bad.code, 'managed_identity_failed_response');
      assert.equal(bad.retryable, false);
      const good = await f.provider.getToken(vaultScope);
      assert.ok(f.identity.wasIssued(good.token));
      // The bad scope itself is paused (no request per invocation), with its own scope on the error.
      const again = (await rejectionOf(f.provider.getToken('https://typo.example.com/.default'))) as TokenError;
      assert.equal(again.scope, 'https://typo.example.com/.default');
      assert.equal(requests(), 2);
      const failed = f.eventsOf('failed');
      assert.equal(failed.at(-1)?.requestSent, false, 'the fast failure is reported as one that sent nothing');
    } finally {
      await f.stop();
    }
  });

  it('a gate rejection carries the caller scope and is reported per caller', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    try {
      f.identity.script('mi', { kind: 'status', status: 429, retryAfter: '30' });
      await rejectionOf(f.provider.getToken(vaultScope, { invocationId: 'inv-1' }));
      const other = (await rejectionOf(f.provider.getToken(sqlScope, { invocationId: 'inv-2' }))) as TokenError;
      assert.equal(other.scope, sqlScope);
      assert.equal(other.invocationId, 'inv-2');
      const failed = f.eventsOf('failed');
      assert.deepEqual(failed.map((e) => [e.invocation?.invocationId, e.requestSent]), [['inv-1', true], ['inv-2', false]]);
    } finally {
      await f.stop();
    }
  });

  it('the deadline holds even for a token source that ignores the abort signal', async () => {
    const clock = new VirtualClock();
    const provider = new ResilientTokenProvider(
      { kind: 'managed-identity', identity: 'managed-identity:system', requestToken: () => new Promise(() => undefined) },
      { clock, requestTimeoutMs: 2_000 },
    );
    const pending = rejectionOf(provider.getToken(vaultScope));
    await clock.advance(2_000);
    const error = (await pending) as TokenError;
    assert.equal(error.code, 'managed_identity_unreachable_network');
    assert.match(error.message, /deadline/);
    provider.close();
  });

  it("the provider's own deadline error names the request in flight (its client-request-id), for correlation with the platform's logs", async () => {
    const clock = new VirtualClock();
    const provider = new ResilientTokenProvider(
      {
        kind: 'certificate',
        identity: 'certificate:tenant/app',
        requestToken: (_scope, context) => {
          context.sending?.('5f0c6a2e-0000-4000-8000-000000000001');
          return new Promise(() => undefined);
        },
      },
      { clock, requestTimeoutMs: 2_000 },
    );
    const pending = rejectionOf(provider.getToken(vaultScope));
    await clock.advance(2_000);
    const error = (await pending) as TokenError;
    assert.equal(error.code, 'identity_platform_unreachable');
    assert.equal(error.clientRequestId, '5f0c6a2e-0000-4000-8000-000000000001');
    provider.close();
  });

  it("the abort a source gets at the deadline says why and after how long, so the source's own error carries it in its cause chain (what a logged error prints)", async () => {
    const clock = new VirtualClock();
    // As the managed-identity source does: its classified error's cause chain ends in the abort reason.
    const provider = new ResilientTokenProvider(
      {
        kind: 'managed-identity',
        identity: 'managed-identity:system',
        requestToken: (_scope, context) =>
          new Promise((_, reject) => {
            context.signal.addEventListener('abort', () => {
              reject(new TokenError('managed_identity_unreachable_network', 'The managed-identity endpoint did not answer before the request deadline.', { retryable: true, cause: context.signal.reason }));
            });
          }),
      },
      { clock, requestTimeoutMs: 3_000 },
    );
    try {
      const pending = rejectionOf(provider.getToken(vaultScope));
      await clock.advance(3_000);
      const messages: string[] = [];
      for (let cause: unknown = await pending; cause instanceof Error; cause = cause.cause) messages.push(cause.message);
      assert.deepEqual(messages, ['The managed-identity endpoint did not answer before the request deadline.', 'no answer within 3000 ms']);
    } finally {
      provider.close();
    }
  });

  it('a request answered before its deadline leaves no deadline timer behind: only the planned refresh stays pending', async () => {
    const clock = new VirtualClock();
    let answers = 0;
    const provider = new ResilientTokenProvider(
      {
        kind: 'managed-identity',
        identity: 'managed-identity:system',
        requestToken: () => {
          answers += 1;
          if (answers === 1) return Promise.reject(new TokenError('managed_identity_failed_response', 'HTTP 503', { status: 503, retryable: true }));
          return Promise.resolve({ accessToken: 'token', receivedAt: clock.now(), expiresOnTimestamp: clock.now() + 3_600_000 });
        },
      },
      { clock, requestTimeoutMs: 2_000, backoff: { random: () => 0 } },
    );
    try {
      await rejectionOf(provider.getToken(vaultScope));
      assert.deepEqual(clock.pendingTimers(), [], 'a failed request leaves nothing either');
      await clock.advance(5_000);
      const token = await provider.getToken(vaultScope);
      assert.deepEqual(clock.pendingTimers(), [token.refreshAfterTimestamp]);
    } finally {
      provider.close();
    }
  });

  it('the deadline error names the endpoint kind and the deadline, and is retryable', async () => {
    for (const [kind, code, what] of [
      ['managed-identity', 'managed_identity_unreachable_network', 'managed-identity endpoint'],
      ['certificate', 'identity_platform_unreachable', 'identity platform'],
    ] as const) {
      const clock = new VirtualClock();
      const provider = new ResilientTokenProvider({ kind, identity: `${kind}:x`, requestToken: () => new Promise(() => undefined) }, { clock, requestTimeoutMs: 1_500 });
      const pending = rejectionOf(provider.getToken(vaultScope));
      await clock.advance(1_500);
      const error = (await pending) as TokenError;
      assert.deepEqual(
        [error.code, error.message, error.retryable, error.source, error.scope],
        [code, `The ${what} did not answer before the request deadline (1500 ms).`, true, kind, vaultScope],
      );
      provider.close();
    }
  });
});
