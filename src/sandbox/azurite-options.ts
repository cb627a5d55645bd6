/**
 * The Azurite command line `npm run azurite` runs: all three services, because the Functions host
 * needs more than the queue trigger's queues (it keeps timer schedule status and its locks in
 * blobs), each on 127.0.0.1 and the default port that `UseDevelopmentStorage=true` points at.
 * Pure: the launcher (azurite-cli.ts) adds the process around it.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface AzuriteDefault {
  /** The option and its aliases; giving any of them replaces the default. */
  flags: readonly string[];
  /** Absent for a switch. */
  value?: string;
  why: string;
}

/** Outside any work tree, so neither git nor .funcignore ever sees Azurite's files; kept across runs. */
export function defaultAzuriteLocation(home: string = homedir()): string {
  return join(home, '.azurite-resilient-daemon-functions');
}

export function azuriteDefaults(location: string): AzuriteDefault[] {
  return [
    { flags: ['--blobHost'], value: '127.0.0.1', why: 'this machine only' },
    { flags: ['--blobPort'], value: '10000', why: 'where UseDevelopmentStorage=true looks for blobs' },
    { flags: ['--queueHost'], value: '127.0.0.1', why: 'this machine only' },
    { flags: ['--queuePort'], value: '10001', why: 'where UseDevelopmentStorage=true looks for queues' },
    { flags: ['--tableHost'], value: '127.0.0.1', why: 'this machine only' },
    { flags: ['--tablePort'], value: '10002', why: 'where UseDevelopmentStorage=true looks for tables' },
    { flags: ['--location', '-l'], value: location, why: 'data outside the work tree, kept across runs' },
    { flags: ['--skipApiVersionCheck'], why: 'accept the newer API versions of current Storage SDKs' },
    { flags: ['--disableTelemetry'], why: 'Azurite sends no usage data' },
    { flags: ['--silent', '-s'], why: 'no access log line per request (the host polls every 2 s); --verbose shows it' },
  ];
}

/** `--name` or `--name=value`. */
function gives(args: readonly string[], flag: string): boolean {
  return args.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
}

/** Our own switch: keep Azurite's access log. Everything else is Azurite's. */
export const verboseFlag = '--verbose';

/**
 * Azurite's arguments: every default the user did not give, then the user's own arguments as
 * they are. Azurite's parser collects a repeated option into a list, so a default is dropped
 * rather than overridden.
 */
export function azuriteArguments(userArgs: readonly string[], location: string): string[] {
  const verbose = userArgs.includes(verboseFlag);
  const own = userArgs.filter((arg) => arg !== verboseFlag);
  const defaults = azuriteDefaults(location)
    .filter((option) => !option.flags.some((flag) => gives(own, flag)))
    .filter((option) => !(verbose && option.flags.includes('--silent')))
    .flatMap((option) => (option.value === undefined ? [option.flags[0] ?? ''] : [option.flags[0] ?? '', option.value]));
  return [...defaults, ...own];
}

/** The folder Azurite will use: the value after `--location`/`-l` (or `--location=`). */
export function locationOf(args: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg.startsWith('--location=')) return arg.slice('--location='.length);
    if (arg === '--location' || arg === '-l') return args[index + 1];
  }
  return undefined;
}

export function azuriteUsage(location: string): string {
  const defaults = azuriteDefaults(location).map((option) => {
    const text = option.value === undefined ? option.flags[0] ?? '' : `${option.flags[0] ?? ''} ${option.value}`;
    return `  ${text.padEnd(58)} ${option.why}`;
  });
  return [
    'Usage: npm run azurite [-- <options>]',
    '',
    "Starts Azurite's blob, queue and table services for `func start` (AzureWebJobsStorage=UseDevelopmentStorage=true).",
    'Ctrl-C stops them; the data stays in the location below.',
    '',
    'Defaults (an option you give replaces its default):',
    ...defaults,
    '',
    'Options:',
    `  ${verboseFlag.padEnd(58)} keep Azurite's access log`,
    `  ${'-h, --help'.padEnd(58)} this text`,
    "  Any other option goes to Azurite as it is; Azurite's own list: npx azurite --help",
  ].join('\n');
}
