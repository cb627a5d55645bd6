/**
 * `npm run bench`: starts the sandbox emulators once, runs every row's targets (each in a fresh
 * child process, one progress line each on stderr), prints the table on stdout and, with
 * `--json`, writes the same results to a file. Exits non-zero when a row could not be measured;
 * a target that is not met is a finding, not a failure.
 */
import { writeFileSync } from 'node:fs';
import { AppBackends } from './app-backends.js';
import { BenchRunner } from './bench-context.js';
import { parseCliOptions, usage, UsageError, type CliOptions } from './cli-options.js';
import { describeMachine, loadNow, machineLine } from './machine.js';
import { benchRows } from './plan.js';
import type { RowResult, RowSpec } from './rows/row.js';
import { BenchSandbox } from './sandbox.js';
import { renderTable } from './table.js';

const progress = (line: string): void => void process.stderr.write(`${line}\n`);

async function measure(row: RowSpec, runner: BenchRunner): Promise<RowResult> {
  try {
    const cells = await row.run(runner);
    return { id: row.id, figure: row.figure, target: row.target, ...cells, ratio: cells.ratio ?? '—', how: cells.how ?? row.how };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { id: row.id, figure: row.figure, target: row.target, ours: { value: null, unit: '', text: '—' }, ratio: '—', met: '—', how: row.how, error: message };
  }
}

async function run(options: CliOptions): Promise<number> {
  const started = Date.now();
  const loadAtStart = loadNow();
  const rows = benchRows().filter((row) => options.only.length === 0 || options.only.some((word) => row.id.includes(word)));
  progress(`bench${options.quick ? ' (quick)' : ''}: ${rows.length} rows; starting the sandbox (CA, identity, Key Vault, ingestion capture)`);
  const sandbox = await BenchSandbox.start();
  const backends = new AppBackends(sandbox);
  const stop = (): Promise<void> => Promise.all([backends.stop(), sandbox.stop()]).then(() => undefined);
  // Ctrl-C: the targets (same process group) get it too; PostgreSQL, Azurite and the CA's files are ours to remove.
  process.once('SIGINT', () => {
    progress('bench: interrupted; stopping the sandbox');
    void stop().finally(() => process.exit(130));
  });
  const results: RowResult[] = [];
  try {
    const runner = new BenchRunner(sandbox, backends, options.quick, progress);
    // A quick run lets rows overlap (the runner still keeps exclusive targets alone); a real run measures one target at a time.
    if (options.quick) results.push(...(await Promise.all(rows.map((row) => measure(row, runner)))));
    else for (const row of rows) results.push(await measure(row, runner));
  } finally {
    progress('bench: stopping the sandbox');
    await stop();
  }
  const machine = describeMachine(loadAtStart);
  const command = `npm run bench${options.quick ? ' -- --quick' : ''}`;
  const durationS = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`${renderTable(results)}\n\n${command} · ${durationS} s · ${machineLine(machine)}\n`);
  if (options.json !== undefined) {
    writeFileSync(options.json, `${JSON.stringify({ command, quick: options.quick, startedAt: new Date(started).toISOString(), durationS, machine, rows: results }, null, 2)}\n`);
    progress(`bench: results written to ${options.json}`);
  }
  const failed = results.filter((result) => result.error !== undefined);
  if (failed.length > 0) progress(`bench: ${failed.length} row(s) could not be measured: ${failed.map((result) => result.id).join(', ')}`);
  return failed.length === 0 ? 0 : 1;
}

let options: CliOptions;
try {
  options = parseCliOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${usage}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${usage}\n`);
} else {
  process.exitCode = await run(options);
}
