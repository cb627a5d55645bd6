/** Memory per cached token, and a cached call's cost once thousands of scopes are cached. */
import type { BenchContext, TargetOutcome } from '../bench-context.js';
import { bytes, count, duration, ratio } from '../format.js';
import { spreadOf } from '../stats.js';
import { cell, type RowSpec } from './row.js';

interface MemorySizes {
  ours: number;
  stock: number;
  lookup: number;
}

function sizes(quick: boolean): MemorySizes {
  return quick ? { ours: 300, stock: 200, lookup: 200 } : { ours: 10_000, stock: 2_000, lookup: 2_000 };
}

function runMemory(context: BenchContext, impl: 'ours' | 'stock'): Promise<TargetOutcome> {
  const size = sizes(context.quick);
  const scopes = impl === 'ours' ? size.ours : size.stock;
  return context.run({
    label: `memory · ${impl === 'ours' ? 'ours' : 'ManagedIdentityCredential'} · ${count(scopes)} scopes`,
    script: 'memory',
    identity: 'mi',
    nodeArgs: ['--expose-gc'],
    args: { impl, scopes, 'lookup-scopes': size.lookup, rounds: context.quick ? 2 : 5, 'budget-ms': context.quick ? 200 : 2_000 },
    timeoutMs: 300_000,
  });
}

export function memoryRows(): RowSpec[] {
  return [
    {
      id: 'memory-per-token',
      figure: 'memory per cached token · managed identity',
      target: 'report (stock ~2 KB)',
      how: 'heap after full GCs, before and after N scopes, / N (--expose-gc)',
      async run(context) {
        const ours = await runMemory(context, 'ours');
        const stock = await runMemory(context, 'stock');
        const perEntry = (outcome: TargetOutcome): number => outcome.data.bytesPerEntry as number;
        const scopes = (outcome: TargetOutcome): string => count(outcome.data.scopes as number);
        return {
          ours: cell(perEntry(ours), 'bytes', `${bytes(perEntry(ours))} per entry (${scopes(ours)} scopes)`),
          stock: cell(perEntry(stock), 'bytes', `${bytes(perEntry(stock))} per entry (${scopes(stock)} scopes)`),
          ratio: ratio(perEntry(stock), perEntry(ours)),
          met: '—',
          how: `heapUsed after three full GCs (--expose-gc), after one warm-up token, before and after acquiring N scopes, / N; stock at ${scopes(stock)} scopes because its lookup is linear (next row)`,
          raw: { ours: ours.data, stock: stock.data },
        };
      },
    },
    {
      id: 'lookup-many-scopes',
      figure: 'cached getToken per call with 2,000 scopes in use · managed identity',
      target: 'report (stock lookup is linear)',
      how: 'round-robin over 2,000 cached scopes, p50 per call',
      async run(context) {
        const ours = await runMemory(context, 'ours');
        const stock = await runMemory(context, 'stock');
        const perCall = (outcome: TargetOutcome): ReturnType<typeof spreadOf> => spreadOf(outcome.data.perCallNs as number[]);
        const [o, s] = [perCall(ours), perCall(stock)];
        const text = (spread: ReturnType<typeof spreadOf>, cached: unknown): string => `${duration(spread.median)} ± ${duration(spread.iqr)} (${count(cached as number)} cached)`;
        return {
          ours: cell(o.median, 'ns', text(o, ours.data.scopes)),
          stock: cell(s.median, 'ns', text(s, stock.data.scopes)),
          ratio: ratio(s.median, o.median),
          met: '—',
          how: `awaited calls round-robin over ${count(ours.data.lookupScopes as number)} cached scopes, each timed (≤ 100,000 calls or 2 s a round), p50, median of ${o.runs} rounds ± IQR; ours holds all ${count(ours.data.scopes as number)} scopes of the row above`,
          raw: { ours: o, stock: s },
        };
      },
    },
  ];
}
