/**
 * Refresh jitter as pure arithmetic: a bounded, earlier-only spread of the refresh point, which
 * neither passes the safety margin nor breaks the refresh floor; and its setting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenRefreshJitterSetting } from '../../src/auth/credential-settings.js';
import { isTokenError } from '../../src/auth/errors.js';
import { refreshAfterTimestamp } from '../../src/auth/refresh-time.js';

const now = Date.UTC(2026, 11, 1, 9, 0, 0);
const minute = 60_000;
const hour = 60 * minute;

describe('refreshAfterTimestamp with jitter', () => {
  const cases: { name: string; lifetime: number; jitter: number; expected: number }[] = [
    { name: 'no jitter: 5 min before expiry of a 1 h token', lifetime: hour, jitter: 0, expected: 55 * minute },
    { name: 'the full 10 %: 5.5 min earlier', lifetime: hour, jitter: 0.1, expected: 49.5 * minute },
    { name: 'half of it: 2.75 min earlier', lifetime: hour, jitter: 0.05, expected: 52.25 * minute },
    { name: 'a 24 h token: up to 72 min before half-life', lifetime: 24 * hour, jitter: 0.1, expected: 12 * hour - 72 * minute },
    { name: 'a 9 s token cannot go below the floor (half its life)', lifetime: 9_000, jitter: 0.1, expected: 4_500 },
    { name: 'a negative draw is no jitter (never later)', lifetime: hour, jitter: -0.5, expected: 55 * minute },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const at = refreshAfterTimestamp({ receivedAt: now, expiresOnTimestamp: now + c.lifetime, jitter: c.jitter });
      assert.equal(at - now, c.expected);
    });
  }

  it('never later than without jitter, never sooner than the floor, for any draw', () => {
    for (const lifetime of [2_000, 13_000, 10 * minute, hour, 24 * hour]) {
      const plain = refreshAfterTimestamp({ receivedAt: now, expiresOnTimestamp: now + lifetime });
      for (let draw = 0; draw < 1; draw += 0.01) {
        const at = refreshAfterTimestamp({ receivedAt: now, expiresOnTimestamp: now + lifetime, jitter: draw * 0.1 });
        assert.ok(at <= plain, `${lifetime} ms token, draw ${draw}: ${at - now} is later than ${plain - now}`);
        assert.ok(at >= now + Math.min(5_000, lifetime / 2), `${lifetime} ms token, draw ${draw}: ${at - now} is inside the floor`);
        assert.ok(at - now >= 0.9 * (plain - now) - 1, `${lifetime} ms token, draw ${draw}: more than 10 % earlier`);
      }
    }
  });

  it('instances started together spread over the last 10 % of the wait instead of one instant', () => {
    const draws = Array.from({ length: 100 }, (_, i) => (i / 100) * 0.1);
    const times = new Set(draws.map((jitter) => refreshAfterTimestamp({ receivedAt: now, expiresOnTimestamp: now + hour, jitter })));
    assert.equal(times.size, 100);
    assert.equal(Math.max(...times) - Math.min(...times), Math.round(0.099 * 55 * minute));
  });
});

describe('TOKEN_REFRESH_JITTER_PERCENT', () => {
  it('unset means the provider default; set, it is a percentage from 0 (off) to 50', () => {
    assert.equal(tokenRefreshJitterSetting({}), undefined);
    assert.equal(tokenRefreshJitterSetting({ TOKEN_REFRESH_JITTER_PERCENT: '0' }), 0);
    assert.equal(tokenRefreshJitterSetting({ TOKEN_REFRESH_JITTER_PERCENT: ' 25 ' }), 0.25);
  });
  for (const value of ['-1', '51', '10%', '0.1']) {
    it(`'${value}' is a configuration_error naming the setting`, () => {
      assert.throws(
        () => tokenRefreshJitterSetting({ TOKEN_REFRESH_JITTER_PERCENT: value }),
        (error: unknown) => isTokenError(error) && error.code === 'configuration_error' && error.setting === 'TOKEN_REFRESH_JITTER_PERCENT',
      );
    });
  }
});
