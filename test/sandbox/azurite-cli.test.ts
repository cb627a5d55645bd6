/**
 * `npm run azurite`: Azurite as `func start` needs it (blob, queue and table on 127.0.0.1 at the
 * ports `UseDevelopmentStorage=true` points at), its data outside the work tree, its telemetry
 * off; `--help` says all that and starts nothing; Ctrl-C closes every service gracefully even
 * when the signal arrives twice (the terminal's and npm's copy).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { azuriteArguments, defaultAzuriteLocation, locationOf } from '../../src/sandbox/azurite-options.js';
import { runNodeScript } from '../support/child-process.js';

const cli = fileURLToPath(new URL('../../src/sandbox/azurite-cli.js', import.meta.url));
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The value that follows `flag` in `args`. */
function valueOf(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at < 0 ? undefined : args[at + 1];
}

describe('npm run azurite: the command line', () => {
  const location = '/data/azurite';

  it('runs blob, queue and table on 127.0.0.1 at the ports UseDevelopmentStorage=true expects', () => {
    const args = azuriteArguments([], location);
    for (const [service, port] of [['blob', '10000'], ['queue', '10001'], ['table', '10002']] as const) {
      assert.equal(valueOf(args, `--${service}Host`), '127.0.0.1', `${service} host`);
      assert.equal(valueOf(args, `--${service}Port`), port, `${service} port`);
    }
  });

  it('turns Azurite telemetry off, accepts newer Storage API versions and keeps quiet while it runs', () => {
    const args = azuriteArguments([], location);
    for (const flag of ['--disableTelemetry', '--skipApiVersionCheck', '--silent']) assert.ok(args.includes(flag), flag);
    assert.ok(!azuriteArguments(['--verbose'], location).includes('--silent'), '--verbose keeps the access log');
    assert.ok(!azuriteArguments(['--verbose'], location).includes('--verbose'), '--verbose is ours, not Azurite’s');
  });

  it('keeps its data outside the work tree by default', () => {
    const dir = defaultAzuriteLocation();
    assert.equal(locationOf(azuriteArguments([], dir)), dir);
    const fromRoot = relative(projectRoot, dir);
    assert.ok(fromRoot.startsWith('..') || fromRoot === dir, `${dir} is inside the work tree ${projectRoot}`);
  });

  it('an option given replaces its default (in any spelling); every other argument goes to Azurite as it is', () => {
    const args = azuriteArguments(['--blobPort', '0', '--queuePort=0', '-l', '/elsewhere', '--debug', '/tmp/azurite.log'], location);
    assert.deepEqual(args.filter((arg) => arg === '--blobPort'), ['--blobPort'], 'Azurite collects a repeated option into a list');
    assert.ok(!args.includes('10000') && !args.includes('10001'), 'no default port left for blob or queue');
    assert.equal(valueOf(args, '--tablePort'), '10002');
    assert.ok(!args.includes(location), 'the default location is dropped');
    assert.equal(locationOf(args), '/elsewhere');
    assert.deepEqual(args.slice(-7), ['--blobPort', '0', '--queuePort=0', '-l', '/elsewhere', '--debug', '/tmp/azurite.log']);
  });
});

describe('npm run azurite: the process', () => {
  const dataDirs: string[] = [];
  after(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('--help lists the defaults and starts nothing', async () => {
    const result = await runNodeScript(cli, { args: ['--help'] });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: npm run azurite/);
    for (const text of ['--blobPort 10000', '--queuePort 10001', '--tablePort 10002', '--disableTelemetry', '--skipApiVersionCheck', defaultAzuriteLocation()]) {
      assert.ok(result.stdout.includes(text), `--help mentions ${text}`);
    }
    assert.doesNotMatch(result.stdout, /keeps its data in|listening/);
  });

  const posixOnly = process.platform === 'win32' ? 'Ctrl-C to a process group is POSIX' : false;

  it('starts blob, queue and table, says where the data is, and Ctrl-C (sent twice, as under npm) closes each service gracefully', { skip: posixOnly }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rdf-azurite-cli-'));
    dataDirs.push(dataDir);
    // OS-chosen ports: a developer's own Azurite may hold the default ones. Its own process group,
    // as a terminal's foreground job has, so that Ctrl-C can be sent the way a terminal sends it.
    const child = spawn(process.execPath, [cli, '--location', dataDir, '--blobPort', '0', '--queuePort', '0', '--tablePort', '0'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const listening = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Azurite did not start within 30 s:\n${output}`)), 30_000);
      const onData = (chunk: string): void => {
        output += chunk;
        if ((output.match(/successfully listening at http:\/\/127\.0\.0\.1:\d+/g) ?? []).length === 3) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.setEncoding('utf8').on('data', onData);
      child.stderr.setEncoding('utf8').on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited with ${code} before listening:\n${output}`));
      });
    });
    try {
      await listening;
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }

    assert.ok(output.includes(`keeps its data in ${dataDir}`), output);
    for (const service of ['Blob', 'Queue', 'Table']) assert.match(output, new RegExp(`Azurite ${service} service is successfully listening at http://127\\.0\\.0\\.1:\\d+`));
    assert.ok(readdirSync(dataDir).length > 0, 'Azurite writes into the location it was given');

    // Azurite installs its Ctrl-C handler a moment after the last "listening" line (after its
    // start-up telemetry step); a signal before that kills it outright, whoever sends it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Ctrl-C: the terminal signals the whole foreground group, and `npm run` forwards its copy a
    // moment later, while the services are closing.
    process.kill(-(child.pid ?? 0), 'SIGINT');
    // Sent once the services say they are closing, not after a fixed pause: on a busy machine a
    // fixed pause could land after Azurite had already closed, which is not what npm does.
    await new Promise<void>((resolve) => {
      const check = (): void => void (output.includes('service is closing') ? resolve() : setTimeout(check, 5));
      check();
    });
    child.kill('SIGINT');
    assert.equal(await exited, 0, output);
    for (const service of ['Blob', 'Queue', 'Table']) assert.ok(output.includes(`Azurite ${service} service successfully closed`), `${service} closed gracefully:\n${output}`);
    assert.match(output, /Azurite stopped \(on SIGINT\)\s*$/);
  });
});
