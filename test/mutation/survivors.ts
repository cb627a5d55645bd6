/**
 * Lists the mutants of a mutation report that no test killed, one line each, to review them:
 *   node dist/test/mutation/survivors.js [reports/mutation/auth.json]
 * (the incremental file, test/mutation/auth.incremental.json, is a report too). Ends with each
 * file's score, (killed + timed out) / (all but ignored and errors), as Stryker counts it.
 */
import { readFileSync } from 'node:fs';

interface ReportedMutant {
  status: string;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number } };
}

interface Report {
  files: Record<string, { source: string; mutants: ReportedMutant[] }>;
}

const reportPath = process.argv[2] ?? 'reports/mutation/auth.json';
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
const detected = new Set(['Killed', 'Timeout']);
const undetected = new Set(['Survived', 'NoCoverage']);
const rows: { file: string; counts: Record<string, number> }[] = [];
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const lines = source.split('\n');
  const counts: Record<string, number> = {};
  rows.push({ file, counts });
  for (const mutant of mutants) {
    counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
    if (mutant.status === 'Killed' || mutant.status === 'Timeout') continue;
    const { line, column } = mutant.location.start;
    const original = lines[line - 1]?.trim() ?? '';
    console.log(`${mutant.status} ${file}:${line}:${column} ${mutant.mutatorName} ${JSON.stringify(mutant.replacement)}  <- ${original.slice(0, 100)}`);
  }
}
const sum = (counts: Record<string, number>, statuses: Set<string>): number => [...statuses].reduce((total, status) => total + (counts[status] ?? 0), 0);
const total: Record<string, number> = {};
for (const { counts } of rows) for (const [status, n] of Object.entries(counts)) total[status] = (total[status] ?? 0) + n;
console.log('\nscore   killed timeout survived no-cov  file');
for (const { file, counts } of [...rows, { file: 'all files', counts: total }]) {
  const found = sum(counts, detected);
  const valid = found + sum(counts, undetected);
  const score = valid === 0 ? 'n/a' : `${((100 * found) / valid).toFixed(1)}%`;
  const cells = ['Killed', 'Timeout', 'Survived', 'NoCoverage'].map((status) => String(counts[status] ?? 0).padStart(6));
  console.log(`${score.padStart(6)} ${cells.join(' ')}  ${file}`);
}
