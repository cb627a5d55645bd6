/**
 * `npm run test:reliability`: runs the reliability matrix and prints it.
 *
 *   npm run test:reliability                      every section, a table on stdout
 *   npm run test:reliability -- --only identity   rows whose group or name contains "identity"
 *   npm run test:reliability -- --json            the same facts as JSON
 *
 * Progress (one line per row) goes to stderr. Exit status 1 when any row or global rule failed.
 */
import { parseArgs } from 'node:util';
import { formatHuman, formatJson } from './format-matrix.js';
import { runMatrix } from './run-matrix.js';
import { sections } from './sections/index.js';

const usage = `Usage: npm run test:reliability -- [--only <group or row substring>] [--json] [--help]

Injects one fault or input per row (identity platform, Key Vault, SQL, Azurite, bad input), runs the
product against it on local emulators and prints what was injected, what the product did, the
requests the fakes saw and whether every rule held. Exit status 1 when any row fails.

  --only <text>  run only rows whose group or name contains <text> (case-insensitive)
  --json         print JSON instead of the table
  --help         show this text`;

async function main(): Promise<number> {
  let options;
  try {
    options = parseArgs({ options: { only: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } }, strict: true }).values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  process.stderr.write(`reliability matrix: ${sections.map((s) => s.group).join(', ')}${options.only ? ` (only "${options.only}")` : ''}\n`);
  const run = await runMatrix(sections, { only: options.only, progress: (line) => process.stderr.write(`${line}\n`) });
  if (run.rows.length === 0) {
    process.stderr.write(`No row matches --only ${JSON.stringify(options.only ?? '')}.\n`);
    return 1;
  }
  process.stdout.write(`${options.json ? formatJson(run) : formatHuman(run)}\n`);
  return run.passed ? 0 : 1;
}

process.exitCode = await main();
