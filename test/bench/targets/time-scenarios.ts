/**
 * The time-dependent scenarios, each at a time scale (1 = as specified; stock runs shortened,
 * in real time, because it has no clock option):
 * - storm: 60 s of callers at 200 calls/s; every token request answers 429 `Retry-After: 10`
 *   for the first 30 s. Ours passes `{ maxWaitMs }` (callers that allow waiting).
 * - outage: 503 without Retry-After for `outageS`, callers at 10 calls/s, then recovery.
 * - outage-cached: one token (305 s lifetime), then 503 from 1 s on; callers at 10 calls/s while
 *   the token is still valid.
 */
import type { Phase, LoadPlan } from './caller-load.js';

export const scenarioNames = ['storm', 'outage', 'outage-cached'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export interface ScenarioSettings {
  /** Multiplies every duration and Retry-After (rounded to whole seconds, at least 1). */
  scale: number;
  /** Outage length before scaling, seconds. */
  outageS: number;
  /** Ours recovers on its back-off schedule: how long after recovery the scenario keeps calling. */
  tailMs: number;
  /** Only the window in which the cached token is valid, for outage-cached. */
  cachedWindowMs: number;
}

export const scenarioScope = 'https://vault.azure.net/.default';
/** Just over MSAL's 5-minute refresh window, so stock reaches it within seconds of real time. */
export const cachedTokenLifetimeS = 305;

function seconds(value: number): string {
  return String(Math.max(1, Math.round(value)));
}

export function scenarioPlan(name: ScenarioName, settings: ScenarioSettings): LoadPlan & { recoveredAtMs?: number } {
  const { scale } = settings;
  if (name === 'storm') {
    const stormMs = 30_000 * scale;
    const phases: Phase[] = [
      { atMs: 0, name: 'storm', fault: { kind: 'status', status: 429, retryAfter: seconds(10 * scale) } },
      { atMs: stormMs, name: 'recovered', fault: null },
    ];
    const durationMs = 60_000 * scale;
    return { durationMs, callsPerSecond: 200, phases, scope: scenarioScope, callOptions: { maxWaitMs: durationMs }, drainMs: durationMs, recoveredAtMs: stormMs };
  }
  if (name === 'outage') {
    const outageMs = settings.outageS * 1000 * scale;
    const phases: Phase[] = [
      { atMs: 0, name: 'outage', fault: { kind: 'status', status: 503 } },
      { atMs: outageMs, name: 'recovered', fault: null },
    ];
    return { durationMs: outageMs + settings.tailMs, callsPerSecond: 10, phases, scope: scenarioScope, drainMs: 30_000, recoveredAtMs: outageMs };
  }
  const phases: Phase[] = [
    { atMs: 0, name: 'token', fault: null, lifetimeSeconds: cachedTokenLifetimeS },
    { atMs: 1_000, name: 'outage', fault: { kind: 'status', status: 503 } },
  ];
  return { durationMs: settings.cachedWindowMs, callsPerSecond: 10, phases, scope: scenarioScope, drainMs: 30_000 };
}
