import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exponentialBackoff } from '../../src/auth/backoff.js';
import { chooseExpiry } from '../../src/auth/platform-response.js';
import { refreshAfterTimestamp } from '../../src/auth/refresh-time.js';
import { parseRetryAfterMs } from '../../src/auth/retry-after.js';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const minute = 60_000;
const hour = 60 * minute;

describe('parseRetryAfterMs (RFC 9110 delay-seconds or HTTP-date; 0, negative, past and unparseable are absent; capped at 1 h)', () => {
  const cases: [string | undefined, number | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['0', undefined],
    ['-5', undefined],
    ['2', 2_000],
    ['7', 7_000],
    [' 120 ', 120_000],
    ['1.5', 1_500],
    ['12.5', 12_500],
    ['1.25', 1_250],
    // Only digits are delay-seconds: a sign or an exponent makes the value unparseable, so absent.
    ['+1.5', undefined],
    ['1.5e3', undefined],
    [new Date(now + 30_000).toUTCString(), 30_000],
    [new Date(now - 30_000).toUTCString(), undefined],
    // An HTTP-date starts with its day name: text before it (which Date.parse would skip) makes it unparseable.
    [`next ${new Date(now + 30_000).toUTCString()}`, undefined],
    ['soon', undefined],
    ['2027-01-01', undefined],
    ['99999999999999', hour],
    ['Fri, 31 Dec 9999 23:59:59 GMT', hour],
    [String(2 * 60 * 60), hour],
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
  it('by default doubles from 5 s and caps at 30 s', () => {
    const backoff = exponentialBackoff({ random: () => 0 });
    assert.deepEqual([1, 2, 3, 4, 5, 10, 40].map(backoff), [5_000, 10_000, 20_000, 30_000, 30_000, 30_000, 30_000]);
  });
  it('jitter adds at most 20 % to a capped step', () => {
    const backoff = exponentialBackoff({ random: () => 0.999 });
    assert.ok(backoff(10) > 30_000 && backoff(10) <= 36_000);
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
    { name: 'a refresh_in exactly at the expiry is ignored too', lifetime: hour, serverRefreshIn: hour, expected: 55 * minute },
    { name: 'a token of exactly 2 h already refreshes at half-life', lifetime: 2 * hour, expected: hour },
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

describe('chooseExpiry (expires_on preferred when it agrees with expires_in)', () => {
  const at = now + 700; // 700 ms into a second
  const cases: { name: string; expiresIn?: number; expiresOn?: number; expected: number | undefined }[] = [
    { name: 'both, agreeing: the absolute expires_on, the same number on every answer', expiresIn: 3_599, expiresOn: now + 3_600_000, expected: now + 3_600_000 },
    { name: 'both, 2 s apart: still agreeing', expiresIn: 3_600, expiresOn: now + 3_600_000 + 2_000 + 700, expected: now + 3_600_000 + 2_700 },
    { name: 'both, disagreeing by minutes (clock skew): expires_in, right on this host', expiresIn: 3_600, expiresOn: now + 3_600_000 - 5 * minute, expected: at + 3_600_000 },
    { name: 'expires_in only', expiresIn: 60, expected: at + 60_000 },
    { name: 'expires_on only', expiresOn: now + hour, expected: now + hour },
    { name: 'neither', expected: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(chooseExpiry(at, c.expiresIn, c.expiresOn), c.expected));
  }
});

describe('refreshAfterTimestamp for the same token answered again', () => {
  it('measures the lifetime from the first arrival, so the floor does not shrink with each answer', () => {
    const expiresOn = now + 13_000;
    const at = refreshAfterTimestamp({ receivedAt: now + 6_500, firstReceivedAt: now, expiresOnTimestamp: expiresOn, skewMs: 3_250 });
    assert.equal(at - (now + 6_500), 5_000, 'the floor of a 13 s token is 5 s, even with 6.5 s left');
  });
});
