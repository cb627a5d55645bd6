/** The back-off's edges: attempts below 1, a cap below the first step, and the jitter ratio. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exponentialBackoff } from '../../src/auth/backoff.js';

describe('exponentialBackoff edges', () => {
  it('an attempt number below 1 waits the first step, never less', () => {
    const backoff = exponentialBackoff({ random: () => 0 });
    assert.deepEqual([0, -3].map(backoff), [5_000, 5_000]);
  });

  it('a cap below the first step is raised to it: the first step always stands', () => {
    const backoff = exponentialBackoff({ maxDelayMs: 1_000, random: () => 0 });
    assert.deepEqual([1, 3].map(backoff), [5_000, 5_000]);
  });

  it('a configured first step above 5 s is used as given', () => {
    const backoff = exponentialBackoff({ firstDelayMs: 8_000, maxDelayMs: 60_000, random: () => 0 });
    assert.deepEqual([1, 2].map(backoff), [8_000, 16_000]);
  });

  it('jitter adds jitterRatio × the draw, rounded to a millisecond', () => {
    const backoff = exponentialBackoff({ jitterRatio: 0.5, random: () => 0.5 });
    assert.equal(backoff(1), 6_250);
    assert.equal(exponentialBackoff({ random: () => 0.5 })(1), 5_500, 'the default ratio is 20 %');
  });
});
