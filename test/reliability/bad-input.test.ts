/**
 * The bad-input section under node:test, with the egress guard on for the whole run: every row's
 * checks must hold, and nothing may have tried to leave the machine. (When the matrix runner runs
 * every section in one test, this file is the section's stand-alone entry.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { installEgressGuard, summariseEgress, type EgressGuard } from '../support/egress-guard.js';
import { badInputSection } from './sections/bad-input.js';

describe(`reliability: ${badInputSection.group}`, () => {
  let guard: EgressGuard;
  let context: unknown;
  const started = performance.now();

  before(async () => {
    guard = installEgressGuard();
    context = await badInputSection.start();
  });

  after(async () => {
    if (context !== undefined) await badInputSection.stop(context);
    console.log(`# bad-input: ${badInputSection.rows.length} rows in ${((performance.now() - started) / 1000).toFixed(1)} s; egress: ${summariseEgress(guard.attempts())}`);
    guard.uninstall();
  });

  for (const row of badInputSection.rows) {
    it(row.name, async () => {
      const outcome = await row.run(context);
      console.log(`# ${row.name} | ${outcome.injected} | ${outcome.outcome} | ${outcome.requests} | ${outcome.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.detail ?? ''}`).join(' ; ')}`);
      for (const result of outcome.checks) assert.ok(result.ok, `${result.rule}: ${result.detail ?? ''}`);
    });
  }

  it('nothing tried to leave the machine (egress guard)', () => {
    assert.deepEqual(guard.refused().map((a) => `${a.target} ${a.verdict} ${a.caller}`), []);
    assert.ok(guard.attempts().some((a) => a.verdict === 'loopback'), 'the guard saw the loopback traffic');
  });
});
