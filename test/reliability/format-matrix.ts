/**
 * The matrix as a person reads it: one compact table row per matrix row, the failed checks of
 * failed rows under it, and a one-line verdict. `formatJson` prints the same facts for scripts.
 */
import type { CredentialKind, RowResult } from './matrix.js';
import type { MatrixRun } from './run-matrix.js';

const credentialLabel: Record<CredentialKind, string> = { 'managed-identity': 'MI', certificate: 'cert' };

const headings = ['group', 'row', 'credential', 'injected', 'outcome', 'requests', 'result'] as const;

function cells(row: RowResult): string[] {
  return [row.group, row.name, row.credential ? credentialLabel[row.credential] : '—', row.injected, row.outcome, row.requests, row.passed ? '✓ pass' : '✗ FAIL'];
}

export function formatTable(rows: readonly RowResult[]): string {
  const body = rows.map(cells);
  const widths = headings.map((heading, column) => Math.max(heading.length, ...body.map((line) => (line[column] ?? '').length)));
  const render = (line: readonly string[]): string => line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ').trimEnd();
  return [render(headings), widths.map((width) => '-'.repeat(width)).join('-|-'), ...body.map(render)].join('\n');
}

export function formatFailures(run: MatrixRun): string {
  const lines: string[] = [];
  for (const row of run.rows.filter((r) => !r.passed)) {
    const credential = row.credential ? ` (${credentialLabel[row.credential]})` : '';
    lines.push(`✗ ${row.group} · ${row.name}${credential}`);
    for (const failed of row.checks.filter((c) => !c.ok)) lines.push(`    ${failed.rule}${failed.detail ? `: ${failed.detail}` : ''}`);
  }
  for (const failed of run.process.filter((c) => !c.ok)) lines.push(`✗ ${failed.rule}${failed.detail ? `: ${failed.detail}` : ''}`);
  return lines.join('\n');
}

export function formatSummary(run: MatrixRun): string {
  const failed = run.rows.filter((r) => !r.passed).length;
  const groups = [...new Set(run.rows.map((r) => r.group))].join(', ') || 'no rows selected';
  const process = run.process.map((c) => `${c.ok ? '✓' : '✗'} ${c.rule}`).join(' · ');
  const verdict = run.passed ? 'PASS' : 'FAIL';
  return `${verdict}: ${run.rows.length} rows (${groups}), ${run.rows.length - failed} passed, ${failed} failed · ${process} · ${(run.durationMs / 1000).toFixed(1)} s`;
}

/** The whole-run rules with what each measured (e.g. the egress guard's count of attempts). */
export function formatRunRules(run: MatrixRun): string {
  return run.process.map((rule) => `${rule.ok ? '✓' : '✗'} ${rule.rule}${rule.detail ? ` — ${rule.detail}` : ''}`).join('\n');
}

export function formatHuman(run: MatrixRun): string {
  const failures = formatFailures(run);
  return [formatTable(run.rows), ...(failures ? ['', failures] : []), '', formatRunRules(run), '', formatSummary(run)].join('\n');
}

export function formatJson(run: MatrixRun): string {
  return JSON.stringify({ passed: run.passed, durationMs: Math.round(run.durationMs), rows: run.rows, process: run.process }, null, 2);
}
