/** The matrix's rules themselves: each must fail on the case it exists to catch. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountMessages } from './message-accounting.js';
import { requestSpacingChecks } from './wire-spacing.js';
import type { WireRequest } from '../support/wire-log.js';

describe('message accounting', () => {
  const sent = [
    { eventId: 'a', text: '{"id":"a"}' },
    { eventId: 'b', text: '{"id":"b"}' },
    { eventId: 'c', text: '{"id":"c"}' },
  ];
  const table: [string, Map<string, number>, string[], Partial<ReturnType<typeof accountMessages>>][] = [
    ['stored once or poisoned intact: nothing lost', new Map([['a', 1], ['b', 1]]), ['{"id":"c"}'], { stored: 2, poisoned: 1, lost: [], duplicated: [], doubled: [], altered: 0 }],
    ['neither stored nor poisoned: lost', new Map([['a', 1], ['b', 1]]), [], { lost: ['c'] }],
    ['poisoned with a changed body: lost and altered', new Map([['a', 1], ['b', 1]]), ['{"id": "c"}'], { lost: ['c'], altered: 1 }],
    ['two rows for one event: duplicated', new Map([['a', 2], ['b', 1], ['c', 1]]), [], { duplicated: ['a'] }],
    ['stored and poisoned too: doubled', new Map([['a', 1], ['b', 1], ['c', 1]]), ['{"id":"c"}'], { doubled: ['c'] }],
  ];
  for (const [rule, rows, poisonBodies, expected] of table) {
    it(rule, () => {
      const result = accountMessages(sent, { rows, poisonBodies });
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(result[key as keyof typeof result], value, key);
    });
  }
});

describe('request spacing', () => {
  let seq = 0;
  const request = (sentAt: number, answer: Partial<WireRequest> & { after?: number } = {}): WireRequest => {
    const sentSeq = seq++;
    return { seq: sentSeq, sentAt, path: '/secrets', receivedAt: answer.after ?? sentAt, receivedSeq: seq++, ...answer };
  };
  const verdicts = (log: WireRequest[]): boolean[] => requestSpacingChecks(log).map((c) => c.ok);

  it('a request 4.9 s after a 503 without Retry-After breaks the 5 s rule; 5.0 s does not', () => {
    assert.deepEqual(verdicts([request(0, { status: 503 }), request(4_900, { status: 200 })]), [true, false]);
    assert.deepEqual(verdicts([request(0, { status: 503 }), request(5_000, { status: 200 })]), [true, true]);
  });

  it('a request before a 429 Retry-After passes breaks the Retry-After rule', () => {
    assert.deepEqual(verdicts([request(0, { status: 429, retryAfter: '7' }), request(6_999, { status: 200 })]), [false, true]);
    assert.deepEqual(verdicts([request(0, { status: 429, retryAfter: '7' }), request(7_000, { status: 200 })]), [true, true]);
  });

  it('a timeout counts as a failure without Retry-After', () => {
    assert.deepEqual(verdicts([request(0, { failure: 'AbortError' }), request(1_000, { status: 200 })]), [true, false]);
  });

  it('a request already in flight when the failure arrived is not counted', () => {
    const failure: WireRequest = { seq: 0, sentAt: 0, path: '/a', status: 503, receivedAt: 0, receivedSeq: 2 };
    const inFlight: WireRequest = { seq: 1, sentAt: 0, path: '/b', status: 200, receivedAt: 0, receivedSeq: 3 };
    assert.deepEqual(verdicts([failure, inFlight]), [true, true]);
  });
});
