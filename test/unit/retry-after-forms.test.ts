/**
 * Retry-After as an HTTP-date in each of RFC 9110's three forms (IMF-fixdate, obsolete RFC 850,
 * and a date without a comma after the day name), and a header that is not there at all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRetryAfterMs } from '../../src/auth/retry-after.js';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('parseRetryAfterMs: HTTP-date forms', () => {
  const cases: [string | null, number | undefined][] = [
    ['Sun, 22 Nov 2026 12:00:30 GMT', 30_000],
    ['Sunday, 22-Nov-26 12:00:30 GMT', 30_000],
    ['Sun Nov 22 2026 12:00:30 GMT', 30_000],
    [null, undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${expected} ms`, () => assert.equal(parseRetryAfterMs(input, now), expected));
  }
});
