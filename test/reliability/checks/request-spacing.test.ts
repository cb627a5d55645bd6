/**
 * The spacing rules catch what they exist to catch: a retry inside 5 s of a failure without a
 * usable Retry-After, a retry before Retry-After (seconds, HTTP date, capped at an hour), and they
 * read the emulator's log the way the rows mean it (a held request ends at the deadline).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedRequest } from '../../../src/sandbox/identity/index.js';
import { describeRequests, noRequestBeforeRetryAfter, noRequestSoonAfterFailure, spacedFromLog, usableRetryAfterMs, type SpacedRequest } from './request-spacing.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');

function failed(atS: number, retryAfter?: string, status = 503): SpacedRequest {
  return { time: t0 + atS * 1000, endedAt: t0 + atS * 1000, ok: false, status, retryAfter };
}
function ok(atS: number): SpacedRequest {
  return { time: t0 + atS * 1000, endedAt: t0 + atS * 1000, ok: true, status: 200 };
}

describe('request spacing rules', () => {
  const soon: { name: string; requests: SpacedRequest[]; holds: boolean }[] = [
    { name: '5 s after a 503 without Retry-After', requests: [failed(0), ok(5)], holds: true },
    { name: '4.999 s after a 503 without Retry-After', requests: [failed(0), { ...ok(0), time: t0 + 4_999 }], holds: false },
    { name: '1 s after a 429 with Retry-After: 0 (not usable)', requests: [failed(0, '0', 429), ok(1)], holds: false },
    { name: '1 s after a 503 with a usable Retry-After: 1 (that rule governs)', requests: [failed(0, '1'), ok(1)], holds: true },
    { name: 'any time after a success', requests: [ok(0), ok(0.5)], holds: true },
  ];
  for (const c of soon) {
    it(`no request within 5 s of a failure: ${c.name} ${c.holds ? 'holds' : 'is caught'}`, () => {
      assert.equal(noRequestSoonAfterFailure(c.requests).ok, c.holds);
    });
  }

  const date = (s: number): string => new Date(t0 + s * 1000).toUTCString();
  const retryAfter: { name: string; requests: SpacedRequest[]; holds: boolean }[] = [
    { name: 'at Retry-After: 30', requests: [failed(0, '30', 429), ok(30)], holds: true },
    { name: 'a second early', requests: [failed(0, '30', 429), ok(29)], holds: false },
    { name: 'before an HTTP-date', requests: [failed(0, date(20), 429), ok(19)], holds: false },
    { name: 'at an HTTP-date', requests: [failed(0, date(20), 429), ok(20)], holds: true },
    { name: 'an absurd value is held to the one-hour cap', requests: [failed(0, '99999999999', 429), ok(3600)], holds: true },
    { name: 'before the one-hour cap', requests: [failed(0, '99999999999', 429), ok(3599)], holds: false },
  ];
  for (const c of retryAfter) {
    it(`no request before Retry-After: ${c.name} ${c.holds ? 'holds' : 'is caught'}`, () => {
      assert.equal(noRequestBeforeRetryAfter(c.requests).ok, c.holds);
    });
  }

  it('reads Retry-After as RFC 9110 does: seconds or an HTTP-date; 0, past dates and junk are not usable', () => {
    assert.equal(usableRetryAfterMs('5', t0), 5_000);
    assert.equal(usableRetryAfterMs(date(7), t0), 7_000);
    assert.equal(usableRetryAfterMs('0', t0), undefined);
    assert.equal(usableRetryAfterMs(date(-7), t0), undefined);
    assert.equal(usableRetryAfterMs('soon', t0), undefined);
  });

  it('a hung or abandoned slow request ends at the deadline; a reset ends when it arrived', () => {
    const base = { target: 'mi', protocol: 'app-service', kind: 'token', method: 'GET', path: '/msi/token', query: {}, headers: {}, requestId: 'r' } as const;
    const log: RecordedRequest[] = [
      { ...base, time: t0, fault: 'hang' },
      { ...base, time: t0 + 15_000, fault: 'slow', abandoned: true },
      { ...base, time: t0 + 30_000, fault: 'reset' },
      { ...base, time: t0 + 40_000, status: 200 },
    ];
    const spaced = spacedFromLog(log, { timeoutMs: 10_000 });
    assert.deepEqual(
      spaced.map((r) => [r.endedAt - t0, r.ok]),
      [
        [10_000, false],
        [25_000, false],
        [30_000, false],
        [40_000, true],
      ],
    );
    assert.equal(describeRequests(spaced), 'identity 4, gaps 15.0 s / 15.0 s / 10.0 s');
    assert.equal(describeRequests(spaced, 'identity', 2), 'identity 4, gaps 15.0 s / 15.0 s / …');
  });
});
