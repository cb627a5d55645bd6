/**
 * `npm run azurite [-- <options>]` (`--help` for the list): Azurite's own command line from
 * node_modules, with the defaults of azurite-options.ts, in a child process.
 *
 * Ctrl-C reaches every process of the terminal's group, and `npm run` forwards it once more;
 * Azurite closes gracefully on the first SIGINT only and dies mid-write on the second. So on
 * POSIX the child runs in its own process group and gets exactly one signal, from here.
 * (Windows has no process groups or forwardable signals: there Ctrl-C reaches Azurite directly.)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { azuriteArguments, azuriteUsage, defaultAzuriteLocation, locationOf } from './azurite-options.js';
import { killOnExit } from './cleanup.js';

/** Azurite's `azurite` bin as its package.json names it (blob, queue and table in one process). */
function azuriteBin(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('azurite/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: Record<string, string> };
  const bin = manifest.bin['azurite'];
  if (bin === undefined) throw new Error(`${manifestPath} names no "azurite" bin`);
  return join(dirname(manifestPath), bin);
}

function main(): void {
  const userArgs = process.argv.slice(2);
  if (userArgs.includes('--help') || userArgs.includes('-h')) {
    console.log(azuriteUsage(defaultAzuriteLocation()));
    return;
  }
  const args = azuriteArguments(userArgs, defaultAzuriteLocation());
  const location = locationOf(args);
  if (location !== undefined) {
    mkdirSync(location, { recursive: true });
    console.log(`Azurite (blob, queue, table) keeps its data in ${location}`);
  }

  const ownGroup = process.platform !== 'win32';
  const child = spawn(process.execPath, [azuriteBin(), ...args], { stdio: 'inherit', detached: ownGroup });
  // If this process dies of an error, the child it started does not outlive it.
  const forget = killOnExit(child);
  let stopping: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping !== undefined) return; // the second Ctrl-C, or npm's copy of the first
    stopping = signal;
    if (ownGroup && child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.once('error', (error) => {
    forget();
    console.error(`Azurite did not start: ${error.message}`);
    process.exitCode = 1;
  });
  // The handlers stay until this process ends: npm's copy of Ctrl-C can arrive after Azurite has
  // closed, and with no handler left it would kill this process (exit by signal, not Azurite's
  // code). Signal handlers do not keep the event loop alive, so keeping them delays nothing.
  child.once('exit', (code, signal) => {
    forget();
    const why = stopping !== undefined ? `on ${stopping}` : signal !== null ? `killed by ${signal}` : `exited with code ${code ?? 'unknown'}`;
    console.log(`Azurite stopped (${why})`);
    process.exitCode = code ?? 1;
  });
}

main();
