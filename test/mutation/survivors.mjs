// Lists the mutants of a mutation report that are not killed, one line each, for review:
//   node test/mutation/survivors.mjs [reports/mutation/auth.json]
import { readFileSync } from 'node:fs';

const reportPath = process.argv[2] ?? 'reports/mutation/auth.json';
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const counts = {};
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
