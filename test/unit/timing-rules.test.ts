import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exponentialBackoff } from '../../src/auth/backoff.js';
import { refreshAfterTimestamp } from '../../src/auth/refresh-time.js';
import { parseRetryAfterMs } from '../../src/auth/retry-after.js';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const minute = 60_000;
const hour = 60 * minute;

describe('parseRetryAfterMs (RFC 9110 delay-seconds or HTTP-date)', () => {
  const cases: [string | undefined, number | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['0', 0],
    ['7', 7_000],
    [' 120 ', 120_000],
    ['1.5', 1_500],
    [new Date(now + 30_000).toUTCString(), 30_000],
    [new Date(now - 30_000).toUTCString(), 0],
    ['soon', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`'${input}' -> ${expected} ms`, () => assert.equal(parseRetryAfterMs(input, now), expected));
  }
});

describe('exponentialBackoff', () => {
  it('doubles from 5 s and caps, with no jitter', () => {
    const backoff = exponentialBackoff({ random: () => 0, maxDelayMs: 60_000 });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(backoff), [5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });
  it('jitter only ever adds, so the first retry is never sooner than 5 s', () => {
    const backoff = exponentialBackoff({ random: () => 0.999 });
    assert.ok(backoff(1) >= 5_000 && backoff(1) <= 6_000);
  });
  it('refuses a configured first step below 5 s', () => {
    const backoff = exponentialBackoff({ firstDelayMs: 100, random: () => 0 });
    assert.equal(backoff(1), 5_000);
  });
});

describe('refreshAfterTimestamp', () => {
  const cases: { name: string; lifetime: number; serverRefreshIn?: number; expected: number }[] = [
    { name: "server's refresh_in wins", lifetime: 24 * hour, serverRefreshIn: 3 * hour, expected: 3 * hour },
    { name: 'half-life for tokens over 2 h', lifetime: 24 * hour, expected: 12 * hour },
    { name: '5 min before expiry for a 1 h token', lifetime: hour, expected: 55 * minute },
    { name: 'half-life when 5 min is more than half of it', lifetime: 6 * minute, expected: 3 * minute },
    { name: 'never later than the serving skew allows', lifetime: 2 * minute, serverRefreshIn: 2 * minute - 10_000, expected: 2 * minute - 30_000 },
    { name: 'a refresh_in of 0 is ignored (no request loop)', lifetime: hour, serverRefreshIn: 0, expected: 55 * minute },
    { name: 'a refresh_in beyond the expiry is ignored', lifetime: hour, serverRefreshIn: 2 * hour, expected: 55 * minute },
    { name: 'never sooner than 5 s after arrival', lifetime: 2 * hour, serverRefreshIn: 1_000, expected: 5_000 },
    { name: 'a 2 s token refreshes at half-life, not in a loop', lifetime: 2_000, expected: 1_000 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const at = refreshAfterTimestamp({
        receivedAt: now,
        expiresOnTimestamp: now + c.lifetime,
        serverRefreshAt: c.serverRefreshIn === undefined ? undefined : now + c.serverRefreshIn,
      });
      assert.equal(at - now, c.expected);
    });
  }
});
