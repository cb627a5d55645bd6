/**
 * The scale-out simulation, small: a fleet of 10 on virtual time. It proves the command's figures
 * mean what the table says: one request per scope per token lifetime at steady state, single
 * flight in a cold start, lockstep refresh waves without jitter and spread ones with it, and no
 * caller failing while a throttling event hits tokens that are still valid.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScaleOutArgs, usage } from './cli.js';
import { fleetScopes } from './fleet.js';
import { runScenarios, type ScenarioResult } from './scenarios.js';
import { renderTable } from './table.js';

const hour = 3_600_000;

describe('npm run scale-out (a fleet of 10, 3 simulated hours)', () => {
  let results: ScenarioResult[] = [];
  const pick = (host: ScenarioResult['host'], scenario: ScenarioResult['scenario'], jitter: boolean): ScenarioResult => {
    const found = results.find((r) => r.host === host && r.scenario === scenario && r.jitter === jitter);
    assert.ok(found, `${host} ${scenario} jitter=${jitter}`);
    return found;
  };

  it('runs every scenario for both hosts, with and without jitter', async () => {
    results = await runScenarios({ instances: [10], durationMs: 3 * hour }, () => undefined);
    assert.equal(results.length, 2 * 3 * 2);
    assert.match(renderTable(results), /\| token-endpoint \| steady \(hours 1-3\) \| 10 \|/);
  });

  it('steady state: one request per instance and scope per token, refreshed 5 min before its hour is up', () => {
    const steady = pick('token-endpoint', 'steady', false);
    // Each 1 h token is replaced after 55 min: 120/55 refreshes per instance and scope in hours 1-3.
    const expected = (10 * fleetScopes.length * 120) / 55;
    assert.ok(Math.abs(steady.figures.requests - expected) <= 4, `${steady.figures.requests} requests in hours 1-3, expected about ${expected}`);
  });

  it('a synchronized cold start with 10 callers per scope sends one request per instance and scope', () => {
    assert.equal(pick('token-endpoint', 'cold-start', false).firstMinute, 10 * fleetScopes.length);
  });

  it('without jitter the fleet refreshes in lockstep; with it the waves spread', () => {
    const off = pick('token-endpoint', 'cold-start', false).figures;
    const on = pick('token-endpoint', 'cold-start', true).figures;
    assert.equal(off.peakPerSecond, 10 * fleetScopes.length, 'every instance refreshes in the same second');
    assert.ok(on.peakPerSecond < off.peakPerSecond / 4, `with jitter the peak second holds ${on.peakPerSecond}`);
    assert.ok(on.requests <= off.requests + 2, 'jitter adds no requests against a token endpoint');
  });

  it('a regional throttling event on valid tokens fails no caller', () => {
    for (const host of ['token-endpoint', 'managed-identity'] as const) {
      for (const jitter of [false, true]) {
        const run = pick(host, 'throttling', jitter);
        assert.equal(run.callerFailures, 0, `${host} jitter=${jitter}`);
      }
    }
    assert.ok(pick('token-endpoint', 'throttling', false).figures.throttled > 0, 'the event hit the refresh wave');
  });

  it('--help and bad options', () => {
    assert.ok(parseScaleOutArgs(['--help']).help);
    assert.match(usage, /--instances/);
    assert.deepEqual(parseScaleOutArgs(['--instances', '1,5']).plan.instances, [1, 5]);
    assert.throws(() => parseScaleOutArgs(['--instances', '0']), /whole numbers/);
    assert.throws(() => parseScaleOutArgs(['--fast']), /unknown option/);
  });
});
