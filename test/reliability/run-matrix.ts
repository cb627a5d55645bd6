/**
 * Runs the reliability matrix: each selected section is started, its rows run one after another,
 * then it is stopped; the global rules (no unhandled rejection, nothing left open) are checked
 * around the whole run, which runs under the egress guard. One progress line per row goes to `progress` (stderr in the CLI).
 */
import { check, type Check, type MatrixRow, type MatrixSection, type RowResult } from './matrix.js';
import { watchEgress } from './egress-rule.js';
import { captureResources, recordUnhandledRejections } from './process-hygiene.js';
import { runRow, startFailed } from './run-row.js';

export interface MatrixRunOptions {
  /** Keep only rows whose group, or name with its credential ("hung (certificate)"), contains this (case-insensitive). */
  only?: string | undefined;
  progress?: ((line: string) => void) | undefined;
}

export interface MatrixRun {
  rows: RowResult[];
  /** The rules that hold for the whole run rather than for one row. */
  process: Check[];
  passed: boolean;
  durationMs: number;
}

export function rowSelected(group: string, row: MatrixRow<unknown>, only: string | undefined): boolean {
  if (only === undefined || only === '') return true;
  const needle = only.toLowerCase();
  const named = row.credential ? `${row.name} (${row.credential})` : row.name;
  return [group, named, `${group}/${named}`].some((text) => text.toLowerCase().includes(needle));
}

export function progressLine(result: RowResult, durationMs: number): string {
  const credential = result.credential ? ` (${result.credential})` : '';
  return `${result.passed ? '✓' : '✗'} ${result.group} · ${result.name}${credential} · ${result.outcome} · ${Math.round(durationMs)} ms`;
}

async function runSection(section: MatrixSection, rows: readonly MatrixRow<unknown>[], progress: (line: string) => void): Promise<{ rows: RowResult[]; stopFailure?: Check }> {
  let context: unknown;
  try {
    context = await section.start();
  } catch (error) {
    const results = startFailed(section.group, rows, error);
    for (const result of results) progress(progressLine(result, 0));
    return { rows: results };
  }
  const results: RowResult[] = [];
  // runRow never throws: every row runs, then the section stops.
  for (const row of rows) {
    const started = performance.now();
    const result = await runRow(section.group, row, context);
    results.push(result);
    progress(progressLine(result, performance.now() - started));
  }
  try {
    await section.stop(context);
    return { rows: results };
  } catch (error) {
    return { rows: results, stopFailure: check(`section ${section.group} stops cleanly`, false, error instanceof Error ? error.message : String(error)) };
  }
}

export async function runMatrix(sections: readonly MatrixSection[], options: MatrixRunOptions = {}): Promise<MatrixRun> {
  const progress = options.progress ?? (() => undefined);
  const started = performance.now();
  const resources = captureResources();
  const rejections = recordUnhandledRejections();
  const egress = watchEgress();
  const rows: RowResult[] = [];
  const processChecks: Check[] = [];
  try {
    for (const section of sections) {
      const selected = section.rows.filter((row) => rowSelected(section.group, row, options.only));
      if (selected.length === 0) continue;
      const outcome = await runSection(section, selected, progress);
      rows.push(...outcome.rows);
      if (outcome.stopFailure) processChecks.push(outcome.stopFailure);
    }
  } finally {
    // Leftover handles are measured while rejections are still recorded: closing may surface one.
    const leftovers = await resources.check();
    processChecks.push(rejections.stop(), leftovers, egress.stop());
  }
  return { rows, process: processChecks, passed: rows.every((r) => r.passed) && processChecks.every((c) => c.ok), durationMs: performance.now() - started };
}
