/** The clock check: this clock against the HTTP Date of the platform's answers, warned beyond 2 minutes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clockCheck, clockOffsetText, largestOffset } from '../../src/doctor/clock-skew.js';

const at = Date.parse('2026-03-01T12:00:00Z');
const answer = (origin: string, offsetMs: number) => ({ origin, date: new Date(at - offsetMs).toUTCString(), receivedAt: at });

describe('clock skew', () => {
  it('the answer furthest from this clock decides, whichever side it is on', () => {
    const largest = largestOffset([answer('https://a', 1_000), answer('https://b', -180_000), answer('https://c', 60_000)]);
    assert.deepEqual(largest, { origin: 'https://b', offsetMs: -180_000 });
  });

  it('an unparseable Date is ignored; no usable Date means no clock check', () => {
    assert.equal(largestOffset([{ origin: 'https://a', date: 'yesterday-ish', receivedAt: at }]), undefined);
    assert.equal(clockCheck([]), undefined);
  });

  it('within 2 minutes passes', () => {
    const check = clockCheck([answer('https://a', 119_000)]);
    assert.equal(check?.status, 'pass');
    assert.equal(check?.remedy, undefined);
  });

  it('beyond 2 minutes warns, says by how much and which way, and says what to do', () => {
    const check = clockCheck([answer('https://login.example', 125_000)]);
    assert.equal(check?.status, 'warn');
    assert.match(check?.finding ?? '', /2 min 5 s ahead of https:\/\/login\.example/);
    assert.equal(check?.remedy?.id, 'clock-skew');
  });

  it('offsets read in minutes and seconds', () => {
    assert.equal(clockOffsetText(45_000), '45 s ahead of');
    assert.equal(clockOffsetText(-600_400), '10 min 0 s behind');
  });
});
