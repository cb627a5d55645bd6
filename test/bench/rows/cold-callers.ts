/** Identity requests for N concurrent cold callers, per credential kind. */
import type { BenchContext, TargetOutcome } from '../bench-context.js';
import { count, ratio } from '../format.js';
import type { IdentityKind } from '../target-env.js';
import { cell, met, type Cell, type RowSpec } from './row.js';

const kindName: Record<IdentityKind, string> = { mi: 'managed identity', cert: 'certificate' };

function callersCell(outcome: TargetOutcome): Cell {
  const requests = outcome.tokenRequests.length;
  const errors = outcome.data.errors as number;
  return cell(requests, 'requests', `${count(requests)} request${requests === 1 ? '' : 's'} · ${count(errors)} errors`);
}

function coldCallersRow(kind: IdentityKind): RowSpec {
  return {
    id: `cold-callers-${kind}`,
    figure: `identity requests for 1,000 concurrent cold callers · ${kindName[kind]}`,
    target: 'exactly 1',
    how: 'fresh process, 1,000 getToken calls started at once; requests counted by the emulator',
    async run(context: BenchContext) {
      const callers = context.quick ? 100 : 1000;
      const outcome = async (impl: string): Promise<TargetOutcome> =>
        context.run({ label: `${callers} cold callers · ${impl} · ${kindName[kind]}`, script: 'cold-callers', identity: kind, exclusive: true, args: { impl, kind, callers } });
      const ours = await outcome('ours');
      const stock = await outcome('stock');
      const dac = await outcome('dac');
      const oursRequests = ours.tokenRequests.length;
      return {
        ours: callersCell(ours),
        stock: callersCell(stock),
        dac: callersCell(dac),
        ratio: `${ratio(stock.tokenRequests.length, oursRequests)} · DAC ${ratio(dac.tokenRequests.length, oursRequests)}`,
        met: met(oursRequests === 1 && ours.data.errors === 0),
        how: `fresh process, ${count(callers)} getToken calls started at once; token requests counted by the emulator`,
        raw: { ours: ours.data, stock: stock.data, dac: dac.data },
      };
    },
  };
}

export function coldCallerRows(): RowSpec[] {
  return [coldCallersRow('mi'), coldCallersRow('cert')];
}
