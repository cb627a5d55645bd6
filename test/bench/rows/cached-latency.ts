/**
 * Cached getToken latency, per credential kind, with telemetry off and on, and through
 * `provider.credential`. Each target is one fresh process timing a tight loop of awaited calls.
 */
import type { BenchContext, TargetOutcome, TargetSpec } from '../bench-context.js';
import { duration, ratio } from '../format.js';
import { spreadOf } from '../stats.js';
import type { IdentityKind } from '../target-env.js';
import { cell, met, type Cell, type RowCells, type RowSpec } from './row.js';

type Impl = 'ours' | 'stock' | 'dac';

function loop(quick: boolean): Record<string, number> {
  return quick ? { rounds: 2, 'max-calls': 2_000, 'budget-ms': 20 } : { rounds: 5, 'max-calls': 100_000, 'budget-ms': 300 };
}

const kindName: Record<IdentityKind, string> = { mi: 'managed identity', cert: 'certificate' };
const stockName: Record<IdentityKind, string> = { mi: 'ManagedIdentityCredential', cert: 'ClientCertificateCredential' };

function spec(quick: boolean, impl: Impl, kind: IdentityKind, telemetry: boolean, viaCredential = false): TargetSpec {
  const who = impl === 'ours' ? (viaCredential ? 'ours (provider.credential)' : 'ours') : impl === 'stock' ? stockName[kind] : 'DefaultAzureCredential';
  return {
    label: `cached getToken · ${who} · ${kindName[kind]} · telemetry ${telemetry ? 'on' : 'off'}`,
    script: 'cached',
    identity: kind,
    telemetry,
    args: { impl, kind, telemetry: telemetry ? 'on' : 'off', ...(viaCredential ? { via: 'credential' } : {}), ...loop(quick) },
  };
}

interface LatencyFigure {
  p50: number;
  p50Iqr: number;
  p99: number;
  floor: number;
  runs: number;
  calls: number;
  telemetryItems: number;
}

function figure(outcome: TargetOutcome): LatencyFigure {
  const numbers = (name: string): number[] => outcome.data[name] as number[];
  const p50 = spreadOf(numbers('p50'));
  return {
    p50: p50.median,
    p50Iqr: p50.iqr,
    p99: spreadOf(numbers('p99')).median,
    floor: spreadOf(numbers('floorP50')).median,
    runs: p50.runs,
    calls: Math.min(...numbers('calls')),
    telemetryItems: outcome.telemetryItems,
  };
}

function latencyCell(f: LatencyFigure): Cell {
  return cell(f.p50, 'ns', `p50 ${duration(f.p50)} ± ${duration(f.p50Iqr)} · p99 ${duration(f.p99)}`);
}

function latencyRow(id: string, kind: IdentityKind, telemetry: boolean, viaCredential: boolean): RowSpec {
  const through = viaCredential ? 'provider.credential (core-auth TokenCredential)' : 'getToken';
  return {
    id,
    figure: `cached ${through} · ${kindName[kind]} · telemetry ${telemetry ? 'on' : 'off'}`,
    target: telemetry ? 'p50 ≤ 1 µs, p99 ≤ 3 µs; ≥ 10× faster than stock' : 'report',
    how: 'tight loop of awaited calls, per-call hrtime',
    async run(context: BenchContext): Promise<RowCells> {
      const ours = figure(await context.run(spec(context.quick, 'ours', kind, telemetry, viaCredential)));
      const stock = figure(await context.run(spec(context.quick, 'stock', kind, telemetry)));
      const dac = figure(await context.run(spec(context.quick, 'dac', kind, telemetry)));
      const speedup = stock.p50 / ours.p50;
      const telemetryNote = telemetry ? `; items exported: ours ${ours.telemetryItems}, stock ${stock.telemetryItems}` : '';
      return {
        ours: latencyCell(ours),
        stock: latencyCell(stock),
        dac: latencyCell(dac),
        ratio: `${ratio(stock.p50, ours.p50)} · DAC ${ratio(dac.p50, ours.p50)}`,
        met: telemetry ? met(ours.p50 <= 1_000 && ours.p99 <= 3_000 && speedup >= 10) : '—',
        how: `tight loop of awaited calls (≥ ${ours.calls.toLocaleString('en-US')} per run), median of ${ours.runs} runs ± IQR, fresh process each; harness floor p50 ${duration(ours.floor)} (included)${telemetryNote}`,
        raw: { ours, stock, dac },
      };
    },
  };
}

export function cachedLatencyRows(): RowSpec[] {
  return [
    latencyRow('cached-mi-off', 'mi', false, false),
    latencyRow('cached-mi-on', 'mi', true, false),
    latencyRow('cached-cert-off', 'cert', false, false),
    latencyRow('cached-cert-on', 'cert', true, false),
    latencyRow('cached-credential-mi-off', 'mi', false, true),
    latencyRow('cached-credential-mi-on', 'mi', true, true),
  ];
}
