/**
 * Cold start: process start to first token (library use), with telemetry on, and the function
 * app's entry point loading both functions. Each sample is a fresh process; the compared
 * implementations take turns, so a busy moment of the machine does not land on one of them.
 */
import type { BenchContext, TargetSpec } from '../bench-context.js';
import { durationMs, ratio } from '../format.js';
import { spreadOf, type Spread } from '../stats.js';
import { cell, met, type Cell, type RowSpec } from './row.js';

function samples(quick: boolean): number {
  return quick ? 1 : 5;
}

/** Spawn to `doneAtNs`, ms, for each of `specs`, taking turns. */
async function coldStarts(context: BenchContext, specs: readonly TargetSpec[]): Promise<Spread[]> {
  const times: number[][] = specs.map(() => []);
  for (let sample = 0; sample < samples(context.quick); sample++) {
    for (const [i, spec] of specs.entries()) {
      const outcome = await context.sample({ ...spec, label: `${spec.label} · sample ${sample + 1}` });
      times[i]?.push(Number(BigInt(outcome.data.doneAtNs as string) - outcome.spawnedAtNs) / 1e6);
    }
  }
  return times.map(spreadOf);
}

function startCell(spread: Spread): Cell {
  return cell(spread.median, 'ms', `${durationMs(spread.median)} ± ${durationMs(spread.iqr)}`);
}

const coldStart = (impl: string, telemetry: boolean): TargetSpec => ({
  label: `cold start · ${impl} · telemetry ${telemetry ? 'on' : 'off'}`,
  script: 'cold-start',
  identity: 'mi',
  telemetry,
  args: { impl, ...(telemetry ? { telemetry: 'on' } : {}) },
});

const entryPoint = (telemetry: boolean): TargetSpec => ({
  label: `function app entry point · telemetry ${telemetry ? 'on' : 'off'}`,
  script: 'functions-entry',
  identity: 'mi',
  telemetry,
  app: true,
});

export function coldStartRows(): RowSpec[] {
  const how = (n: number, end = 'first token'): string => `fresh process per sample, spawn → ${end} on the monotonic clock; median of ${n} samples ± IQR, implementations taking turns`;
  return [
    {
      id: 'cold-start',
      figure: "cold start, process start → first token · library use (package '.' entry) · managed identity",
      target: '≤ stock ManagedIdentityCredential',
      how: how(5),
      async run(context) {
        const [ours, stock, dac] = (await coldStarts(context, [coldStart('ours', false), coldStart('stock', false), coldStart('dac', false)])) as [Spread, Spread, Spread];
        return {
          ours: startCell(ours),
          stock: startCell(stock),
          dac: startCell(dac),
          ratio: `${ratio(stock.median, ours.median)} · DAC ${ratio(dac.median, ours.median)}`,
          met: met(ours.median <= stock.median),
          how: `${how(ours.runs)}; ours: getTokenProvider() from 'resilient-daemon-functions'`,
          raw: { ours, stock, dac },
        };
      },
    },
    {
      id: 'cold-start-telemetry',
      figure: 'cold start with telemetry on (Application Insights to the sandbox capture) · managed identity',
      target: 'report; < 400 ms',
      how: how(5),
      async run(context) {
        const [ours, stock] = (await coldStarts(context, [coldStart('ours', true), coldStart('stock', true)])) as [Spread, Spread];
        return {
          ours: startCell(ours),
          stock: startCell(stock),
          ratio: ratio(stock.median, ours.median),
          met: met(ours.median < 400),
          how: `${how(ours.runs)}; stock: applicationinsights setup().start() before @azure/identity loads`,
          raw: { ours, stock },
        };
      },
    },
    ...[false, true].map(
      (telemetry): RowSpec => ({
        id: `entry-point-telemetry-${telemetry ? 'on' : 'off'}`,
        figure: `function app entry point (dist/functions/index.js) loading both functions · telemetry ${telemetry ? 'on' : 'off'}`,
        target: '< 400 ms',
        how: how(5, 'both functions registered'),
        async run(context) {
          const [ours] = (await coldStarts(context, [entryPoint(telemetry)])) as [Spread];
          return {
            ours: startCell(ours),
            met: met(ours.median < 400),
            how: `${how(ours.runs, 'both functions registered')}; the Functions core API shim of test/support installed first, as the worker provides it`,
            raw: { ours },
          };
        },
      }),
    ),
  ];
}
