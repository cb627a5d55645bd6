import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gateWaitMs, waitBudgetMs, type GateWaitInput } from '../../src/auth/gate-wait.js';

const now = 1_000_000;
const second = 1_000;

describe('waitBudgetMs (the caller says how long it can wait; the default is not at all)', () => {
  const cases: [number | undefined, number, number][] = [
    [undefined, 0, 0],
    [undefined, 30_000, 30_000],
    [5_000, 30_000, 5_000],
    [0, 30_000, 0],
    [-1, 30_000, 0],
    [Number.NaN, 30_000, 0],
    [Infinity, 0, Infinity],
  ];
  for (const [maxWaitMs, providerDefault, expected] of cases) {
    it(`maxWaitMs ${maxWaitMs}, provider default ${providerDefault} -> ${expected}`, () => assert.equal(waitBudgetMs(maxWaitMs, providerDefault), expected));
  }
});

describe('gateWaitMs (wait for a gate that opens within the budget, once, for a pause that lifts)', () => {
  const base: GateWaitInput = { now, opensAt: now + 10 * second, waitUntil: now + 30 * second, retryable: true };
  const cases: [string, Partial<GateWaitInput>, number | undefined][] = [
    ['the gate opens within the budget: sleep until it opens', {}, 10 * second],
    ['the gate opens exactly at the end of the budget: still in time', { waitUntil: now + 10 * second }, 10 * second],
    ['the gate opens after the budget: fail fast', { waitUntil: now + 5 * second }, undefined],
    ['no budget: fail fast', { waitUntil: now }, undefined],
    ['a pause that does not lift by itself (not retryable): fail fast', { retryable: false }, undefined],
    ['woken a little early for the same opening: sleep the rest', { now: now + 9_999 }, 1],
    ['the gate closed again while waiting, next opening within the budget: wait for it too', { now: now + 10 * second, opensAt: now + 15 * second }, 5 * second],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(gateWaitMs({ ...base, ...input }), expected));
  }
});
