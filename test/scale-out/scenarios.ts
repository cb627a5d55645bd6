/**
 * The three fleet situations the issue names, each run with and without refresh jitter:
 * steady state (instances started over 10 minutes), a synchronized cold start (every instance at
 * one instant, a burst of concurrent callers each), and a regional throttling event (429 with
 * Retry-After: 60 for 60 s to everyone, landing on the fleet's first refresh wave).
 */
import { runFleet, type FleetOptions } from './fleet.js';
import { rateFigures, type RateFigures } from './stats.js';

const minute = 60_000;
const hour = 60 * minute;

export type ScenarioId = 'steady' | 'cold-start' | 'throttling';

/** What answers the instances: a managed-identity host with its server-side cache, or a token endpoint that mints per request. */
export type Host = 'managed-identity' | 'token-endpoint';

export interface ScenarioResult {
  scenario: ScenarioId;
  host: Host;
  instances: number;
  jitter: boolean;
  /** The window the figures cover, as a person reads it. */
  window: string;
  figures: RateFigures;
  /** The same over the whole run (cold start included): what the limits are checked against. */
  overall: RateFigures;
  /** Requests in the first minute of the run (the cold start, for the synchronized fleet). */
  firstMinute: number;
  callerFailures: number;
  calls: number;
}

export interface ScenarioPlan {
  instances: readonly number[];
  /** Simulated length of the steady and cold-start runs. */
  durationMs: number;
}

/** 1 h tokens (Entra's default for client credentials; App Service managed identity issues longer ones): the most refreshes per hour. */
const base = { lifetimeSeconds: 3_600, invocationEveryMs: 5 * minute, seed: 20_261_201 } as const;
/** The managed-identity host renews its cached token 5 minutes before expiry (when it renews is undocumented; 5 min is when a 1 h token's refresh point comes). */
const hostRenewBeforeSeconds = 300;

async function one(scenario: ScenarioId, host: Host, instances: number, jitter: boolean, durationMs: number): Promise<ScenarioResult> {
  const renewBeforeSeconds = host === 'managed-identity' ? hostRenewBeforeSeconds : undefined;
  let options: FleetOptions;
  let from: number;
  let until: number;
  let window: string;
  if (scenario === 'steady') {
    options = { ...base, renewBeforeSeconds, instances, jitter, coldCallers: 1, startSpreadMs: 10 * minute, durationMs };
    [from, until, window] = [hour, durationMs, `hours 1-${Math.round(durationMs / hour)}`];
  } else if (scenario === 'cold-start') {
    options = { ...base, renewBeforeSeconds, instances, jitter, coldCallers: 10, startSpreadMs: 0, durationMs };
    // After the cold start itself (firstMinute): the refresh waves that follow it.
    [from, until, window] = [5 * minute, durationMs, `minute 5 to hour ${Math.round(durationMs / hour)}`];
  } else {
    // The synchronized fleet's first refresh wave is at 55 min (49.5-55 min with jitter).
    const throttle = { from: 54.5 * minute, until: 55.5 * minute, retryAfterSeconds: 60 };
    options = { ...base, renewBeforeSeconds, instances, jitter, coldCallers: 10, startSpreadMs: 0, durationMs: 2 * hour, throttle };
    [from, until, window] = [45 * minute, 65 * minute, 'minutes 45-65 (429s from 54:30 to 55:30)'];
  }
  const run = await runFleet(options);
  const figures = rateFigures(run.region.requests, run.start + from, run.start + until);
  const overall = rateFigures(run.region.requests, run.start, run.start + options.durationMs);
  const firstMinute = run.region.requests.filter((r) => r.at < run.start + minute).length;
  return { scenario, host, instances, jitter, window, figures, overall, firstMinute, callerFailures: run.callerFailures, calls: run.calls };
}

export async function runScenarios(plan: ScenarioPlan, progress: (line: string) => void): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const host of ['token-endpoint', 'managed-identity'] as const) {
    for (const scenario of ['steady', 'cold-start', 'throttling'] as const) {
      for (const instances of plan.instances) {
        for (const jitter of [false, true]) {
          const started = Date.now();
          const result = await one(scenario, host, instances, jitter, plan.durationMs);
          results.push(result);
          progress(`  ${host.padEnd(16)} ${scenario.padEnd(10)} N=${String(instances).padStart(3)} jitter ${jitter ? 'on ' : 'off'}  peak ${result.figures.peakPerMinute}/min  (${Date.now() - started} ms)`);
        }
      }
    }
  }
  return results;
}
