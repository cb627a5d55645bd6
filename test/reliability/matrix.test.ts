/**
 * The reliability matrix under node:test, so that CI (`npm test`) runs every row: one describe per
 * section (started before its rows, stopped after), one test per row asserting every check with
 * what was measured, then the global rules: no unhandled rejection, nothing left open, nothing
 * but loopback attempted (the egress guard is on for the whole file).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowResult } from './matrix.js';
import { watchEgress, type EgressWatch } from './egress-rule.js';
import { captureResources, recordUnhandledRejections, type RejectionRecorder, type ResourceBaseline } from './process-hygiene.js';
import { runRow } from './run-row.js';
import { sections } from './sections/index.js';

function failedChecks(result: RowResult): string[] {
  return result.checks.filter((c) => !c.ok).map((c) => `${c.rule}${c.detail ? `: ${c.detail}` : ''}`);
}

let resources: ResourceBaseline;
let rejections: RejectionRecorder;
let egress: EgressWatch;
before(() => {
  resources = captureResources();
  rejections = recordUnhandledRejections();
  egress = watchEgress();
});

for (const section of sections) {
  describe(`reliability: ${section.group}`, () => {
    let context: unknown;
    before(async () => {
      context = await section.start();
    });
    after(async () => {
      await section.stop(context);
    });
    for (const row of section.rows) {
      it(`${row.name}${row.credential ? ` (${row.credential})` : ''}`, async () => {
        const result = await runRow(section.group, row, context);
        assert.equal(result.crash, undefined, `the row crashed: ${result.crash ?? ''}`);
        assert.deepEqual(failedChecks(result), [], `${result.injected} -> ${result.outcome}; ${result.requests}`);
        assert.ok(result.checks.length > 0, 'the row checked something');
      });
    }
  });
}

describe('reliability: the whole run', () => {
  it('no unhandled rejection, and no timer, socket or server left once every section has stopped', async () => {
    const leftovers = await resources.check();
    const unhandled = rejections.stop();
    assert.ok(unhandled.ok, unhandled.detail);
    assert.ok(leftovers.ok, leftovers.detail);
  });
  it('nothing but loopback was attempted (egress guard over every section)', () => {
    const rule = egress.stop();
    assert.ok(rule.ok, rule.detail);
    console.log(`# egress: ${rule.detail ?? ''}`);
  });
});
