/**
 * `npm run doctor`: why can this daemon not get tokens? Runs every check, prints the report for
 * a person (or `--json` for scripts) with every secret kept out, and exits 0 only when every
 * check passed.
 */
import { helpText, parseDoctorArgs } from './args.js';
import { renderHuman } from './render-human.js';
import { runDoctor } from './run-doctor.js';
import { scrub } from './scrub.js';

const exitUsage = 2;
const parsed = parseDoctorArgs(process.argv.slice(2));
if (!parsed.ok) {
  process.stderr.write(`doctor: ${parsed.problem}\n\n${helpText}`);
  process.exitCode = exitUsage;
} else if (parsed.args.help) {
  process.stdout.write(helpText);
} else {
  const { args } = parsed;
  const { report, secrets } = await runDoctor({ env: process.env, cwd: process.cwd(), scopes: args.scopes, addScopes: args.addScopes });
  const text = args.json ? `${JSON.stringify(report, null, 2)}\n` : renderHuman(report);
  process.stdout.write(scrub(text, secrets));
  process.exitCode = report.verdict.ok ? 0 : 1;
}
