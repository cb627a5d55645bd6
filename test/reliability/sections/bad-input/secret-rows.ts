/**
 * Secrets the inventory sweep meets in a real vault's corners: names at the edges of Key Vault's
 * rule (1-127 letters, digits, hyphens) and tag sets far beyond the portal's 15, with Unicode
 * edge cases. Nothing may be lost: every listed secret is either in the inventory with its tags
 * or reported as a failed item with its name.
 */
import functions from '@azure/functions';
import type { Timer } from '@azure/functions';
import { isDeepStrictEqual } from 'node:util';
import { registeredFunction } from '../../../../src/sandbox/host/functions-core-shim.js';
import { check, type MatrixRow, type RowOutcome } from '../../matrix.js';
import { freshRow, type BadInputContext } from './context.js';

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

async function sweep(context: BadInputContext, injected: string, secrets: ReadonlyMap<string, Record<string, string>>): Promise<RowOutcome> {
  await freshRow(context);
  await context.postgres.admin.query('DELETE FROM secret_inventory');
  for (const [name, tags] of secrets) context.stack.vault.setSecret(name, `value-of-${name.slice(0, 20)}-${crypto.randomUUID()}`, { tags });
  const invocation = new functions.InvocationContext({ invocationId: crypto.randomUUID(), functionName: 'inventorySweep', logHandler: context.leaks.logHandler });
  let thrown: unknown;
  try {
    await registeredFunction('inventorySweep').handler(timer, invocation);
  } catch (error) {
    thrown = error;
    context.leaks.addError('inventory sweep', error);
  }
  const rows = (await context.postgres.admin.query<{ name: string; tags: Record<string, string> }>('SELECT name, tags FROM secret_inventory')).rows;
  const reported = new Set(context.telemetry.exceptions().map((e) => String(e.properties.secretName)));
  const stored = [...secrets].filter(([name, tags]) => rows.some((r) => r.name === name && isDeepStrictEqual(r.tags, tags)));
  const lost = [...secrets.keys()].filter((name) => !stored.some(([s]) => s === name) && !reported.has(name));
  const completed = context.telemetry.events('InventorySweepCompleted')[0]?.properties;
  return {
    injected,
    outcome: thrown === undefined ? `${stored.length} stored, ${reported.size} reported` : `failed: ${(thrown as Error).name}`,
    requests: `vault list ${context.stack.vault.count('list')}, versions ${context.stack.vault.count('versions')}`,
    checks: [
      check('nothing lost: every secret stored with its tags or reported by name', lost.length === 0, lost.length === 0 ? `${stored.length} stored, ${reported.size} reported` : `lost: ${lost.map((n) => n.slice(0, 30)).join(', ')}`),
      check('the run completes and its summary counts every listed secret', thrown === undefined && Number(completed?.listed) === Number(completed?.upserted) + Number(completed?.failed), `listed ${String(completed?.listed)}`),
    ],
  };
}

const oddNames = new Map<string, Record<string, string>>([
  ['0', {}],
  ['a', {}],
  ['-', {}],
  ['---leading-and-trailing---', {}],
  ['x'.repeat(127), { length: '127' }],
  ['MiXeD-CaSe-9', {}],
  ['1234567890', {}],
]);

const manyTags = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`tag-${i}-${'n'.repeat(500)}`, 'v'.repeat(256)]));
const unicodeTags = { '😀': '𝔘 astral', 'rtl\u202E': '\u200Fעברית\u200E', bom: '\uFEFF', quotes: '"\\/\n' };
const unstorableTags = { nul: 'a\u0000b' };
const surrogateTags = { lone: 'x\uD800y' };

export const secretRows: readonly MatrixRow<BadInputContext>[] = [
  { name: 'secrets with odd names', run: (context) => sweep(context, '7 names at the edges of 1-127 letters, digits, hyphens', oddNames) },
  {
    name: 'secrets with huge and odd tag sets',
    run: (context) =>
      sweep(
        context,
        '200 tags of 506+256 chars; astral, RTL, BOM; NUL; lone surrogate',
        new Map([
          ['huge-tags', manyTags],
          ['unicode-tags', unicodeTags],
          ['nul-tag', unstorableTags],
          ['surrogate-tag', surrogateTags],
        ]),
      ),
  },
];
