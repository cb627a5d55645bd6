/**
 * `npm run bench -- --quick` still runs: every row of the table is measured and numeric, in the
 * table and in the JSON. Speed is not judged here (CI machines vary); the full run does that.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runNodeScript } from '../support/child-process.js';
import { rowIds } from './plan.js';
import type { Cell, RowResult } from './rows/row.js';

const cli = fileURLToPath(new URL('./cli.js', import.meta.url));

describe('npm run bench', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rdf-bench-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--quick measures every row, each cell a number, in the table and in --json', async () => {
    const jsonPath = join(dir, 'bench.json');
    const run = await runNodeScript(cli, { args: ['--quick', '--json', jsonPath], timeoutMs: 170_000 });
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as { quick: boolean; rows: RowResult[]; machine: { nproc: number } };
    assert.equal(report.quick, true);
    assert.ok(report.machine.nproc > 0);
    assert.deepEqual(
      report.rows.map((row) => row.id),
      rowIds(),
      'every row, in order',
    );
    for (const row of report.rows) {
      assert.equal(row.error, undefined, `${row.id} could not be measured`);
      const cells: [string, Cell | undefined][] = [['ours', row.ours], ['stock', row.stock], ['dac', row.dac]];
      for (const [name, cell] of cells) {
        if (cell === undefined) continue;
        assert.ok(typeof cell.value === 'number' && Number.isFinite(cell.value), `${row.id}: ${name} is not a number (${cell.text})`);
      }
      assert.ok(run.stdout.includes(`| ${row.figure} |`), `${row.id} is in the printed table`);
    }
    assert.match(run.stdout, /npm run bench -- --quick · \d+ s · \d+ CPUs/);
  });

  it('--help explains the options and measures nothing', async () => {
    const run = await runNodeScript(cli, { args: ['--help'] });
    assert.equal(run.code, 0);
    for (const option of ['--quick', '--json <file>', '--only', '--help']) assert.ok(run.stdout.includes(option), option);
    assert.equal(run.stderr, '');
  });

  it('an unknown option is refused with the usage, exit status 2', async () => {
    const run = await runNodeScript(cli, { args: ['--fast'] });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown option: --fast/);
  });
});
