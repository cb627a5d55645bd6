/**
 * Callers that can wait for the gate: a caller without a valid token that gave a budget
 * (`maxWaitMs`, or the provider's `defaultMaxWaitMs`) waits for a closed gate that opens within it
 * and then joins the one request sent when it opens; everyone else still fails fast. Virtual time:
 * the identity emulator over real sockets, and a scripted source where the moment a request
 * answers must be held.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Clock } from '../../src/auth/clock.js';
import { TokenError } from '../../src/auth/errors.js';
import { ResilientTokenProvider } from '../../src/auth/provider.js';
import type { TokenResponse, TokenSource } from '../../src/auth/token-source.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { settle, VirtualClock, waitUntil } from '../support/scheduled-clock.js';
import { rejectionOf, sqlScope, startFixture, vaultScope, type Fixture } from './provider-fixture.js';

const second = 1_000;
let ca: TestCa;
before(() => {
  ca = createTestCa();
});
after(() => ca.cleanup());

type Outcome<T> = { state: 'pending' } | { state: 'resolved'; value: T } | { state: 'rejected'; error: unknown };

/** Follows a promise, so a test can say "still waiting" or "already failed" at a virtual instant. */
function track<T>(promise: Promise<T>): { readonly outcome: Outcome<T>; promise: Promise<T> } {
  const tracked: { outcome: Outcome<T>; promise: Promise<T> } = { outcome: { state: 'pending' }, promise };
  promise.then(
    (value) => (tracked.outcome = { state: 'resolved', value }),
    (error: unknown) => (tracked.outcome = { state: 'rejected', error }),
  );
  return tracked;
}

const codeOf = (outcome: Outcome<unknown>): string => (outcome.state === 'rejected' && outcome.error instanceof TokenError ? outcome.error.code : outcome.state);

describe('waiting for the gate (managed identity, emulator, virtual time)', () => {
  let f: Fixture;
  const requests = (): number => f.identity.tokenRequests('mi').length;

  /** The first caller meets a 429 with Retry-After 10 s; returns when the gate opens. */
  async function throttle(): Promise<number> {
    f.identity.script('mi', { kind: 'status', status: 429, retryAfter: '10' });
    const first = (await rejectionOf(f.provider.getToken(vaultScope))) as TokenError;
    assert.equal(first.code, 'throttled');
    return f.clock.now() + 10 * second;
  }

  it('a 429 with Retry-After 10 s: 200 callers with maxWaitMs 30 s all get a token from exactly one more request, sent when the gate opens and not before', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    try {
      const opensAt = await throttle();
      const callers = Array.from({ length: 200 }, () => track(f.provider.getToken(vaultScope, { maxWaitMs: 30 * second })));
      await f.clock.advance(10 * second - 1);
      assert.ok(callers.every((c) => c.outcome.state === 'pending'), 'every caller is still waiting');
      assert.equal(requests(), 1, 'no request before the gate opens');
      await f.clock.advance(1);
      const tokens = await Promise.all(callers.map((c) => c.promise));
      assert.equal(requests(), 2, 'one request for all of them');
      assert.equal(f.identity.tokenRequests('mi')[1]?.time, opensAt, 'sent the moment the gate opened');
      assert.equal(new Set(tokens.map((t) => t.token)).size, 1);
      assert.ok(f.identity.wasIssued(tokens[0]?.token ?? ''));
      assert.equal(f.eventsOf('failed').length, 1, 'only the caller that met the 429 failed');
    } finally {
      await f.stop();
    }
  });

  it('callers whose maxWaitMs ends before the gate opens fail fast with throttled and retryAt, as without a budget', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    try {
      const opensAt = await throttle();
      const short = track(f.provider.getToken(vaultScope, { maxWaitMs: 5 * second }));
      const none = track(f.provider.getToken(sqlScope));
      await settle();
      for (const caller of [short, none]) {
        assert.equal(codeOf(caller.outcome), 'throttled', 'failed at once, no virtual time passed');
        assert.equal(caller.outcome.state === 'rejected' && (caller.outcome.error as TokenError).retryAt, opensAt);
      }
      assert.deepEqual(f.eventsOf('failed').map((e) => e.requestSent), [true, false, false]);
    } finally {
      await f.stop();
    }
  });

  it('a signal alone gives no budget: the caller fails fast (a signal cannot tell its deadline)', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    try {
      await throttle();
      const caller = track(f.provider.getToken(vaultScope, { signal: new AbortController().signal }));
      await settle();
      assert.equal(codeOf(caller.outcome), 'throttled');
    } finally {
      await f.stop();
    }
  });

  it('an abort during the wait rejects that caller only; the others get the token when the gate opens', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    try {
      await throttle();
      const controller = new AbortController();
      const leaving = track(f.provider.getToken(vaultScope, { maxWaitMs: 30 * second, signal: controller.signal }));
      const staying = track(f.provider.getToken(vaultScope, { maxWaitMs: 30 * second }));
      await f.clock.advance(5 * second);
      controller.abort(new Error('invocation cancelled'));
      await settle();
      assert.match(String(leaving.outcome.state === 'rejected' && leaving.outcome.error), /invocation cancelled/);
      assert.equal(staying.outcome.state, 'pending');
      await f.clock.advance(5 * second);
      assert.ok(f.identity.wasIssued((await staying.promise).token));
      assert.equal(requests(), 2);
    } finally {
      await f.stop();
    }
  });

  it('a storm that outlasts one Retry-After: waiters with budget left wait for the next opening too; one whose budget ends first gets the new error', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    try {
      await throttle();
      // The request sent at the opening (10 s) fails: 503 without Retry-After, the second failure in
      // a row, so the back-off's second step: the next opening is 10 s later.
      f.identity.script('mi', { kind: 'status', status: 503 });
      const patient = Array.from({ length: 3 }, () => track(f.provider.getToken(vaultScope, { maxWaitMs: 30 * second })));
      const hurried = track(f.provider.getToken(vaultScope, { maxWaitMs: 12 * second }));
      await f.clock.advance(10 * second);
      assert.equal(requests(), 2, 'one request at the opening');
      assert.equal(codeOf(hurried.outcome), 'managed_identity_failed_response', 'its budget ends before the next opening');
      assert.ok(patient.every((w) => w.outcome.state === 'pending'), 'the others wait on');
      await f.clock.advance(10 * second - 1);
      assert.equal(requests(), 2, 'nothing before the next opening');
      await f.clock.advance(1);
      // The request at the opening crosses a real socket: give it real time to answer.
      await waitUntil(() => patient.every((w) => w.outcome.state !== 'pending'), 'the patient callers to settle');
      assert.ok(patient.every((w) => w.outcome.state === 'resolved'), 'every patient caller got a token');
      assert.equal(requests(), 3, 'one more request, at the next opening');
      assert.equal(f.eventsOf('failed').length, 1 + 1, 'the first throttled caller and the hurried one');
    } finally {
      await f.stop();
    }
  });

  it('a pause that does not lift by itself (an unknown resource) is never waited for', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    try {
      const typo = 'https://typo.example.com/.default';
      f.identity.script('mi', { kind: 'status', status: 400, body: { statusCode: 400, message: 'Unknown resource' } });
      await rejectionOf(f.provider.getToken(typo));
      const caller = track(f.provider.getToken(typo, { maxWaitMs: 60 * second }));
      await settle();
      assert.equal(codeOf(caller.outcome), 'managed_identity_failed_response');
      assert.equal(requests(), 1);
    } finally {
      await f.stop();
    }
  });

  it("the provider's defaultMaxWaitMs lets Azure SDK clients (the TokenCredential adapter) wait; maxWaitMs: 0 opts a caller out", async () => {
    f = await startFixture({ kind: 'managed-identity', ca, defaultMaxWaitMs: 30 * second });
    try {
      f.identity.script('mi', { kind: 'status', status: 429, retryAfter: '10' });
      await rejectionOf(f.provider.getToken(vaultScope, { maxWaitMs: 0 }));
      const sdk = track(f.provider.credential.getToken(vaultScope));
      const impatient = track(f.provider.getToken(vaultScope, { maxWaitMs: 0 }));
      const impatientSdk = track(f.provider.credential.getToken(vaultScope, { maxWaitMs: 0 }));
      await settle();
      assert.equal(codeOf(impatient.outcome), 'throttled');
      assert.equal(codeOf(impatientSdk.outcome), 'throttled');
      assert.equal(sdk.outcome.state, 'pending');
      await f.clock.advance(10 * second);
      const token = await sdk.promise;
      assert.ok(f.identity.wasIssued(token?.token ?? ''));
      assert.equal(requests(), 2);
    } finally {
      await f.stop();
    }
  });
});

describe('waiting for the gate (scripted source)', () => {
  /** First answer: 429 with Retry-After 10 s. Later answers wait until the test calls answer(). */
  function heldSource(clock: Clock): TokenSource & { requests: number; answer(): void } {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const source = {
      kind: 'managed-identity' as const,
      identity: 'managed-identity:system',
      requests: 0,
      answer: () => release(),
      async requestToken(): Promise<TokenResponse> {
        source.requests += 1;
        if (source.requests === 1) throw new TokenError('throttled', 'Too many requests', { status: 429, retryAfterMs: 10 * second, retryable: true });
        await held;
        return { accessToken: `token-${source.requests}`, receivedAt: clock.now(), expiresOnTimestamp: clock.now() + 3_600_000 };
      },
    };
    return source;
  }

  it('waiters woken together join the one request sent when the gate opens, and share its answer', async () => {
    const clock = new VirtualClock();
    const source = heldSource(clock);
    const provider = new ResilientTokenProvider(source, { clock });
    try {
      await rejectionOf(provider.getToken(vaultScope));
      const waiters = Array.from({ length: 5 }, () => track(provider.getToken(vaultScope, { maxWaitMs: 30 * second })));
      await clock.advance(10 * second);
      assert.equal(source.requests, 2, 'the first waiter to wake sent it; the others joined it');
      assert.ok(waiters.every((w) => w.outcome.state === 'pending'), 'all wait for its answer');
      source.answer();
      const tokens = await Promise.all(waiters.map((w) => w.promise));
      assert.deepEqual(new Set(tokens.map((t) => t.token)), new Set(['token-2']));
      assert.ok(tokens.every((t) => !t.fromCache));
    } finally {
      provider.close();
    }
  });

  it("a waiter woken after another waiter's request has brought the token takes it from the cache, marked fromCache, with no request of its own", async () => {
    const clock = new VirtualClock();
    const source = heldSource(clock);
    source.answer(); // answers at once: the first waiter's request is done before the second wakes
    const provider = new ResilientTokenProvider(source, { clock });
    try {
      await rejectionOf(provider.getToken(vaultScope));
      const [sender, later] = [track(provider.getToken(vaultScope, { maxWaitMs: 30 * second })), track(provider.getToken(vaultScope, { maxWaitMs: 30 * second }))];
      await clock.advance(10 * second);
      const [sent, cached] = await Promise.all([sender.promise, later.promise]);
      assert.deepEqual([sent.token, sent.fromCache], ['token-2', false]);
      assert.deepEqual([cached.token, cached.fromCache], ['token-2', true]);
      assert.equal(source.requests, 2);
    } finally {
      provider.close();
    }
  });

  it('a waiter whose gate opens after the cached token has expired gets a new token, never the expired one', async () => {
    const clock = new VirtualClock();
    const failures: TokenError[] = [];
    let requests = 0;
    const source: TokenSource = {
      kind: 'managed-identity',
      identity: 'managed-identity:system',
      requestToken(): Promise<TokenResponse> {
        requests += 1;
        const failure = failures.shift();
        if (failure) return Promise.reject(failure);
        return Promise.resolve({ accessToken: `token-${requests}`, receivedAt: clock.now(), expiresOnTimestamp: clock.now() + 3_600_000 });
      },
    };
    const provider = new ResilientTokenProvider(source, { clock });
    try {
      const first = await provider.getToken(vaultScope);
      provider.close(); // no refresh ahead
      await clock.advance(first.expiresOnTimestamp - clock.now());
      failures.push(new TokenError('throttled', 'Too many requests', { status: 429, retryAfterMs: 10 * second, retryable: true }));
      await rejectionOf(provider.getToken(vaultScope));
      const waiter = track(provider.getToken(vaultScope, { maxWaitMs: 30 * second }));
      await clock.advance(10 * second);
      const token = await waiter.promise;
      assert.deepEqual([token.token, token.fromCache, requests], ['token-3', false, 3]);
    } finally {
      provider.close();
    }
  });

  it('a clock that wakes a waiter a little early does not turn the wait into a failure or an early request', async () => {
    const virtual = new VirtualClock();
    // System timers may fire a millisecond before the wall clock reaches the gate's time.
    const early: Clock = { now: virtual.now, schedule: (ms, task) => virtual.schedule(ms, task), sleep: (ms, signal) => virtual.sleep(ms > 1 ? ms - 1 : ms, signal) };
    const source = heldSource(virtual);
    source.answer();
    const provider = new ResilientTokenProvider(source, { clock: early });
    try {
      await rejectionOf(provider.getToken(vaultScope));
      const waiter = track(provider.getToken(vaultScope, { maxWaitMs: 30 * second }));
      await virtual.advance(10 * second - 1);
      assert.equal(waiter.outcome.state, 'pending');
      assert.equal(source.requests, 1, 'no request before the gate opens');
      await virtual.advance(1);
      assert.equal((await waiter.promise).token, 'token-2');
    } finally {
      provider.close();
    }
  });
});
