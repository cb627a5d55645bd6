/**
 * Lists the mutants of a mutation report that no test killed, one line each, to review them:
 *   node dist/test/mutation/survivors.js [reports/mutation/auth.json]
 * (the incremental file, test/mutation/auth.incremental.json, is a report too). Ends with the
 * count of each status.
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
const counts: Record<string, number> = {};
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const lines = source.split('\n');
  for (const mutant of mutants) {
    counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
    if (mutant.status === 'Killed' || mutant.status === 'Timeout') continue;
    const { line, column } = mutant.location.start;
    const original = lines[line - 1]?.trim() ?? '';
    console.log(`${mutant.status} ${file}:${line}:${column} ${mutant.mutatorName} ${JSON.stringify(mutant.replacement)}  <- ${original.slice(0, 100)}`);
  }
}
console.log(counts);
