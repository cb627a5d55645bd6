/** Target specs for the time-dependent scenarios: ours on virtual time, stock in real time at a scale. */
import type { BenchContext, TargetOutcome } from '../bench-context.js';

export type ScenarioImpl = 'ours' | 'stock' | 'dac';

export interface ScenarioRun {
  scenario: 'storm' | 'outage' | 'outage-cached';
  label: string;
  scale: number;
  outageS?: number;
  tailMs?: number;
  windowMs?: number;
}

/** `×0.2`: how much shorter than specified a real-time run was. */
export function scaleText(scale: number): string {
  return `×${Number(scale.toPrecision(2))}`;
}

const implName: Record<ScenarioImpl, string> = { ours: 'ours (virtual time)', stock: 'ManagedIdentityCredential (real time)', dac: 'DefaultAzureCredential (real time)' };

export function runScenario(context: BenchContext, impl: ScenarioImpl, run: ScenarioRun): Promise<TargetOutcome> {
  const args: Record<string, string | number> = { scenario: run.scenario, impl, scale: run.scale };
  if (run.outageS !== undefined) args['outage-s'] = run.outageS;
  if (run.tailMs !== undefined) args['tail-ms'] = run.tailMs;
  if (run.windowMs !== undefined) args['window-ms'] = run.windowMs;
  return context.run({ label: `${run.label} · ${implName[impl]}${impl === 'ours' ? '' : ` ${scaleText(run.scale)}`}`, script: 'scenario', identity: 'mi', exclusive: true, args, timeoutMs: 300_000 });
}

/** `1,234 calls · 3 errors (throttled×3)` */
export function callsText(outcome: TargetOutcome): string {
  const { calls, errors, unfinished, errorCodes } = outcome.data as { calls: number; errors: number; unfinished: number; errorCodes: string[] };
  const codes = errorCodes.length > 0 ? ` (${errorCodes.slice(0, 2).join(', ')})` : '';
  const open = unfinished > 0 ? ` · ${unfinished} unfinished` : '';
  return `${errors.toLocaleString('en-US')} errors${codes} of ${calls.toLocaleString('en-US')} calls${open}`;
}
