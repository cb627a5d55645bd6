/**
 * The gate on its own: closed by a failure until Retry-After (authoritative, capped at an hour) or
 * the next back-off step, open exactly then; reopened only by a success sent after the last
 * failure; and the error a caller without a token gets while it is closed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenError } from '../../src/auth/errors.js';
import { gateWaitMs, RetryAfterGate } from '../../src/auth/retry-after-gate.js';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const hour = 3_600_000;
const scope = 'https://vault.azure.net/.default';

/** Back-off step n waits n seconds: easy to tell the steps apart. */
const stepSeconds = (attempt: number): number => attempt * 1_000;

function throttled(retryAfterMs?: number): TokenError {
  return new TokenError('throttled', 'HTTP 429', { status: 429, retryAfterMs, retryable: true, correlationId: 'corr-429' });
}

function outage(): TokenError {
  return new TokenError('identity_platform_unavailable', 'HTTP 503.', { status: 503, retryable: true });
}

describe('gateWaitMs (Retry-After when usable, else the back-off step)', () => {
  const cases: [number | undefined, number][] = [
    [7_000, 7_000],
    [2 * hour, hour],
    [undefined, 5_000],
    [0, 5_000],
    [-1_000, 5_000],
    [Number.NaN, 5_000],
    [Infinity, 5_000],
  ];
  for (const [retryAfterMs, expected] of cases) {
    it(`Retry-After ${retryAfterMs} ms -> ${expected} ms`, () => assert.equal(gateWaitMs(retryAfterMs, () => 5_000), expected));
  }
});

describe('RetryAfterGate', () => {
  it('is open until a failure; then closed until Retry-After passes, and open exactly then', () => {
    const gate = new RetryAfterGate(stepSeconds);
    assert.equal(gate.isOpen(now), true);
    assert.equal(gate.opensAt(), 0);
    assert.equal(gate.recordFailure(throttled(7_000), now), now + 7_000);
    assert.equal(gate.opensAt(), now + 7_000);
    assert.equal(gate.isOpen(now + 6_999), false);
    assert.equal(gate.isOpen(now + 7_000), true);
  });

  it('without Retry-After, consecutive failures walk the back-off steps', () => {
    const gate = new RetryAfterGate(stepSeconds);
    assert.equal(gate.recordFailure(outage(), now), now + 1_000);
    assert.equal(gate.recordFailure(outage(), now + 1_000), now + 3_000);
    assert.equal(gate.recordFailure(outage(), now + 3_000), now + 6_000);
  });

  it('two failures in flight at once: no request before the later opening', () => {
    const gate = new RetryAfterGate(stepSeconds);
    gate.recordFailure(throttled(10_000), now);
    assert.equal(gate.recordFailure(throttled(1_000), now), now + 10_000);
  });

  it('a success reopens it and restarts the back-off, unless a failure came after its request was sent', () => {
    const gate = new RetryAfterGate(stepSeconds);
    const sentBeforeTheFailure = gate.epoch();
    gate.recordFailure(throttled(30_000), now);
    gate.recordSuccess(sentBeforeTheFailure);
    assert.equal(gate.isOpen(now + 1), false, 'a slow 200 sent before the 429 does not cut Retry-After short');
    gate.recordFailure(outage(), now);
    gate.recordSuccess(gate.epoch());
    assert.equal(gate.isOpen(now), true);
    assert.equal(gate.opensAt(), 0);
    assert.equal(gate.recordFailure(outage(), now), now + 1_000, 'the back-off starts again at its first step');
  });
});

describe('RetryAfterGate.rejection (what a caller without a token gets while it is closed)', () => {
  it('after a 429: throttled, with the wait left, the opening time and the answer it came from', () => {
    const gate = new RetryAfterGate(stepSeconds);
    const cause = throttled(10_000);
    gate.recordFailure(cause, now);
    const error = gate.rejection(now + 4_000, scope);
    assert.equal(error.code, 'throttled');
    assert.equal(error.retryAfterMs, 6_000);
    assert.equal(error.retryAt, now + 10_000);
    assert.equal(error.scope, scope);
    assert.equal(error.correlationId, 'corr-429');
    assert.equal(error.retryable, true);
    assert.equal(error.cause, cause);
    assert.equal(error.message, `The identity platform throttled this identity; no request is sent before ${new Date(now + 10_000).toISOString()} (Retry-After). Last answer: HTTP 429`);
  });

  it("after an outage: the outage's code, and the message says the pause is the back-off", () => {
    const gate = new RetryAfterGate(stepSeconds);
    gate.recordFailure(outage(), now);
    const error = gate.rejection(now + 2_000, scope);
    assert.equal(error.code, 'identity_platform_unavailable');
    assert.equal(error.retryAfterMs, 0, 'never negative once the opening has passed');
    assert.equal(error.message, `HTTP 503. Token requests are paused until ${new Date(now + 1_000).toISOString()} (back-off).`);
  });

  it('with no failure recorded: throttled until the opening, retryable', () => {
    const error = new RetryAfterGate(stepSeconds).rejection(now, scope);
    assert.equal(error.code, 'throttled');
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 0);
    assert.equal(error.retryAt, 0);
    assert.equal(error.scope, scope);
    assert.equal(error.message, `Token requests are paused until ${new Date(0).toISOString()}.`);
  });
});
