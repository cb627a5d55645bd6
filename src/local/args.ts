/** Command-line options of `npm run local`. */
import type { LocalFault } from './faults.js';

export interface LocalArgs {
  help: boolean;
  json: boolean;
  keep: boolean;
  verbose: boolean;
  fault?: string | undefined;
  error?: string | undefined;
}

export function parseLocalArgs(argv: readonly string[], faultNames?: readonly string[]): LocalArgs {
  const args: LocalArgs = { help: false, json: false, keep: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--keep') args.keep = true;
    else if (arg === '--verbose' || arg === '-v') args.verbose = true;
    else if (arg === '--fault' || arg?.startsWith('--fault=')) {
      const value = arg === '--fault' ? argv[++i] : arg.slice('--fault='.length);
      if (!value) args.error = '--fault needs a name';
      else args.fault = value;
    } else args.error = `unknown option '${arg ?? ''}'`;
  }
  if (args.fault !== undefined && faultNames && !faultNames.includes(args.fault)) args.error = `unknown fault '${args.fault}'`;
  return args;
}

export function usage(faults: readonly LocalFault[]): string {
  return [
    'Usage: npm run local -- [options]',
    '',
    'Runs the product on an embedded sandbox (identity platform, Key Vault, Application Insights',
    'ingestion, Azurite, PostgreSQL; all on 127.0.0.1): the inventory sweep once, then the queue',
    'worker over a batch of signed events with a few bad ones, and prints a summary.',
    'A part gives way to the real service when its setting is in the environment or local.settings.json.',
    '',
    'Options:',
    '  --fault <name>   inject a fault into the sandbox for the run (see below)',
    '  --keep           leave the sandbox running and print a local.settings.json for `func start`',
    '  --json           print the summary as JSON',
    '  --verbose        show the app\'s own log lines',
    '  --help           this text',
    '',
    'Faults:',
    ...faults.map((fault) => `  ${fault.name.padEnd(22)} ${fault.what}`),
    '',
    'Exit status: 0 when everything expected happened, 1 otherwise, 2 on a usage error.',
    '',
  ].join('\n');
}
