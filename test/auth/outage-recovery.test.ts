/**
 * Recovery after a long outage: the back-off cap bounds how long the app goes without a token once
 * the platform is back, while the outage itself is probed no faster than the schedule allows.
 * Managed identity over the emulator, on virtual time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TokenError } from '../../src/auth/errors.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { rejectionOf, sqlScope, startFixture, vaultScope } from './provider-fixture.js';

const second = 1_000;
const minute = 60 * second;
let ca: TestCa;
before(() => {
  ca = createTestCa();
});
after(() => ca.cleanup());

/** The rule: the first step is at least 5 s, steps double, no step is longer than 30 s, jitter adds up to 20 %. */
const firstStepMs = 5 * second;
const capMs = 30 * second;
const jitterRatio = 0.2;
/** The n-th wait of the schedule (n from 1) without jitter. */
const scheduledStep = (n: number): number => Math.min(firstStepMs * 2 ** (n - 1), capMs);

describe('recovery after an outage (5xx without Retry-After)', () => {
  const jitters = [
    { label: 'no jitter', draw: () => 0 },
    { label: 'the most jitter', draw: () => 0.999 },
  ];
  for (const { label, draw } of jitters) {
    it(`after a 10-minute outage the first token arrives within the cap (+20 % jitter) of recovery; during it, requests are never closer than 5 s nor more frequent than the schedule (${label})`, async () => {
      const f = await startFixture({ kind: 'managed-identity', ca, jitter: draw });
      try {
        f.identity.setPersistentFault('mi', { kind: 'status', status: 503 });
        const requestTimes = (): number[] => f.identity.tokenRequests('mi').map((r) => r.time);
        const outageEnds = f.clock.now() + 10 * minute;
        let recoveryAt: number | undefined;
        let firstToken: number | undefined;
        // A busy worker asks every second, through the outage and after it.
        while (firstToken === undefined && f.clock.now() < outageEnds + 10 * minute) {
          // The worst moment to recover: just after the first failed probe past the 10 minutes.
          if (recoveryAt === undefined && (requestTimes().at(-1) ?? 0) >= outageEnds) {
            f.identity.setPersistentFault('mi', undefined);
            recoveryAt = f.clock.now();
          }
          try {
            await f.provider.getToken(vaultScope);
            firstToken = f.clock.now();
          } catch {
            await f.clock.advance(second);
          }
        }
        const times = requestTimes();
        const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
        gaps.forEach((gap, i) => {
          assert.ok(gap >= firstStepMs, `requests ${i} and ${i + 1} are ${gap} ms apart`);
          assert.ok(gap >= scheduledStep(i + 1), `request ${i + 1} came ${gap} ms after the previous one; the schedule says ${scheduledStep(i + 1)} ms`);
        });
        // One second of slack: the worker asks once a second.
        const bound = capMs * (1 + jitterRatio) + second;
        assert.ok(recoveryAt !== undefined && firstToken !== undefined, 'a token arrived after the outage');
        assert.ok(firstToken - recoveryAt <= bound, `first token ${firstToken - recoveryAt} ms after recovery (bound ${bound} ms)`);
        assert.ok(Math.max(...gaps) <= bound, `the outage was probed at least every ${bound} ms (longest gap ${Math.max(...gaps)} ms)`);
      } finally {
        await f.stop();
      }
    });
  }
});

describe('a success ends the outage: the next failure starts the back-off again from its first step', () => {
  it('a 5xx after a token arrived pauses the identity for 5 s again, not for the next step of the earlier outage', async () => {
    const f = await startFixture({ kind: 'managed-identity', ca });
    try {
      f.identity.setPersistentFault('mi', { kind: 'status', status: 503 });
      const retryIn = async (scope: string): Promise<number> => (((await rejectionOf(f.provider.getToken(scope))) as TokenError).retryAt ?? NaN) - f.clock.now();
      assert.equal(await retryIn(vaultScope), 5 * second);
      await f.clock.advance(5 * second);
      assert.equal(await retryIn(vaultScope), 10 * second);
      await f.clock.advance(10 * second);
      f.identity.setPersistentFault('mi', undefined);
      await f.provider.getToken(vaultScope);
      f.identity.setPersistentFault('mi', { kind: 'status', status: 503 });
      assert.equal(await retryIn(sqlScope), 5 * second);
    } finally {
      await f.stop();
    }
  });

  it("a scope's own failure (an unknown resource) after a token arrived for it pauses that scope for 5 s again", async () => {
    const f = await startFixture({ kind: 'managed-identity', ca });
    try {
      const unknownResource = { kind: 'status' as const, status: 400, body: { statusCode: 400, message: 'Unknown resource' } };
      const retryIn = async (): Promise<number> => (((await rejectionOf(f.provider.getToken(vaultScope))) as TokenError).retryAt ?? NaN) - f.clock.now();
      f.identity.script('mi', unknownResource);
      assert.equal(await retryIn(), 5 * second);
      await f.clock.advance(5 * second);
      f.identity.script('mi', unknownResource);
      assert.equal(await retryIn(), 10 * second);
      await f.clock.advance(10 * second);
      const token = await f.provider.getToken(vaultScope);
      f.provider.close(); // no refresh ahead: the next request is the caller's, once the token has expired
      await f.clock.advance(token.expiresOnTimestamp - f.clock.now());
      f.identity.script('mi', unknownResource);
      assert.equal(await retryIn(), 5 * second);
    } finally {
      await f.stop();
    }
  });
});
