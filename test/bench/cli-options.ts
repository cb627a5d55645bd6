/** `npm run bench -- [options]`: what can be asked, and the help that says so. */

export interface CliOptions {
  help: boolean;
  quick: boolean;
  json: string | undefined;
  /** Only rows whose id contains one of these. */
  only: string[];
}

export const usage = `Usage: npm run bench -- [options]

Compares the token provider with the stock @azure/identity credentials (ManagedIdentityCredential,
ClientCertificateCredential, DefaultAzureCredential) on the sandbox emulators, each target in a
fresh Node.js process, and prints one Markdown table (progress goes to stderr).

Options:
  --quick          small iteration counts and shortened scenarios (a smoke run, well under a minute;
                   its numbers are not meant to be compared)
  --json <file>    also write the results, the machine and the raw per-target data as JSON
  --only <ids>     run only rows whose id contains one of these comma-separated words
                   (e.g. --only cached,storm)
  --help           print this help

A full run takes about ten minutes on two cores. Every figure is measured afresh; the "how" column
says what was timed, over how many runs, and whether it ran on virtual or real time.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseCliOptions(argv: readonly string[]): CliOptions {
  const options: CliOptions = { help: false, quick: false, json: undefined, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--json' || arg === '--only') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      if (arg === '--json') options.json = value;
      else options.only.push(...value.split(',').filter((word) => word !== ''));
    } else throw new UsageError(`unknown option: ${arg}`);
  }
  return options;
}
