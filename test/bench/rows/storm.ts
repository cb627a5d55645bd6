/** A 429 storm: 60 s at 200 calls/s, every token request answered `429 Retry-After: 10` for the first 30 s. */
import type { BenchContext, TargetOutcome } from '../bench-context.js';
import { count, durationMs, ratio } from '../format.js';
import { cell, met, type Cell, type RowSpec } from './row.js';
import { callsText, runScenario, scaleText } from './scenario-targets.js';

function stormCell(outcome: TargetOutcome): Cell {
  const requests = outcome.tokenRequests.length;
  const { waitP50Ms, waitMaxMs } = outcome.data as { waitP50Ms: number | null; waitMaxMs: number | null };
  const waits = waitP50Ms === null || waitMaxMs === null ? '' : ` · wait p50 ${durationMs(waitP50Ms)}, max ${durationMs(waitMaxMs)}`;
  return cell(requests, 'requests', `${count(requests)} requests · ${callsText(outcome)}${waits}`);
}

export function stormRow(): RowSpec {
  return {
    id: 'storm-429',
    figure: '429 storm: 60 s at 200 calls/s, Retry-After: 10 for the first 30 s · managed identity',
    target: '≤ 4 requests; 0 errors for callers that allow waiting',
    how: 'ours on virtual time with { maxWaitMs }; stock in real time, scaled',
    async run(context: BenchContext) {
      const stockScale = context.quick ? 1 / 30 : 0.2;
      const ours = await runScenario(context, 'ours', { scenario: 'storm', label: '429 storm', scale: 1 });
      const stock = await runScenario(context, 'stock', { scenario: 'storm', label: '429 storm', scale: stockScale });
      const dac = await runScenario(context, 'dac', { scenario: 'storm', label: '429 storm', scale: stockScale });
      const oursRequests = ours.tokenRequests.length;
      return {
        ours: stormCell(ours),
        stock: stormCell(stock),
        dac: stormCell(dac),
        ratio: `${ratio(stock.tokenRequests.length, oursRequests)} · DAC ${ratio(dac.tokenRequests.length, oursRequests)}`,
        met: met(oursRequests <= 4 && ours.data.errors === 0),
        how:
          `ours: virtual time (clock option), full 60 s, each call { maxWaitMs: 60000 }; stock: real time scaled ${scaleText(stockScale)} ` +
          `(${60 * stockScale} s at 200 calls/s, Retry-After ${Math.max(1, Math.round(10 * stockScale))} s for the first ${30 * stockScale} s); requests counted by the emulator`,
        raw: { ours: ours.data, stock: stock.data, dac: dac.data },
      };
    },
  };
}
