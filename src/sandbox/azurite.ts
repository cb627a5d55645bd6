/**
 * Azurite (npm `azurite`, the real Storage Blob and Queue APIs) in a child process, in memory (or in
 * a folder the caller names, to survive a restart), on
 * 127.0.0.1 with OS-chosen ports: the queue trigger's storage and the host's blob leases. Its own
 * telemetry is off and it writes nothing into the work tree (its working directory is a temporary
 * one, removed at stop or whenever the process ends).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { killOnExit, removeOnExit } from './cleanup.js';

/** Azurite's well-known development account (public, documented, not a secret). */
export const azuriteAccount = 'devstoreaccount1';
const accountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  queueEndpoint: string;
  blobEndpoint: string;
  /** What `AzureWebJobsStorage` holds locally. */
  connectionString: string;
  pid: number;
  stop(): Promise<void>;
}

type Service = 'blob' | 'queue';

export interface AzuriteOptions {
  services?: Service[];
  startTimeoutMs?: number;
  /**
   * Keep the data in this folder instead of in memory, so that a stopped Azurite started again on
   * the same folder (and `queuePort`) still holds every message, as Azure Storage would after an
   * outage. The caller owns the folder.
   */
  location?: string;
  /** Port for the queue service; default: one the OS picks. */
  queuePort?: number;
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const services = options.services ?? ['blob', 'queue'];
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('azurite/package.json'));
  const cwd = mkdtempSync(join(tmpdir(), 'rdf-azurite-'));
  const forgetDir = removeOnExit(cwd);
  const serviceArgs = services.flatMap((service) => [`--${service}Host`, '127.0.0.1', `--${service}Port`, String(service === 'queue' ? (options.queuePort ?? 0) : 0)]);
  const persistence = options.location === undefined ? ['--inMemoryPersistence', '--extentMemoryLimit', '64'] : ['--location', options.location];
  // One service alone starts through its own main (lighter); several through Azurite's combined main, which also starts tables.
  const main = services.length === 1 ? join(root, 'dist/src', services[0] as Service, 'main.js') : join(root, 'dist/src/azurite.js');
  const extra = services.length === 1 ? [] : ['--tableHost', '127.0.0.1', '--tablePort', '0'];
  const child: ChildProcess = spawn(
    process.execPath,
    [main, ...persistence, ...serviceArgs, ...extra, '--skipApiVersionCheck', '--loose', '--disableTelemetry'],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const forgetChild = killOnExit(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ports = await new Promise<Record<Service, number>>((resolve, reject) => {
    let output = '';
    const found: Partial<Record<Service, number>> = {};
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within ${options.startTimeoutMs ?? 30_000} ms: ${output.slice(-500)}`)), options.startTimeoutMs ?? 30_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      for (const service of services) {
        const name = service === 'blob' ? 'Blob' : 'Queue';
        const match = new RegExp(`Azurite ${name} service (?:is successfully listening at|successfully listens on) http://127\\.0\\.0\\.1:(\\d+)`).exec(output);
        if (match) found[service] = Number(match[1]);
      }
      if (services.every((service) => found[service] !== undefined)) {
        clearTimeout(timer);
        resolve(found as Record<Service, number>);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Azurite could not be started: ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with ${code}: ${output.slice(-500)}`));
    });
  }).catch(async (error: unknown) => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(cwd, { recursive: true, force: true });
    forgetChild();
    forgetDir();
    throw error;
  });
  child.stdout?.resume();
  const queueEndpoint = ports.queue === undefined ? '' : `http://127.0.0.1:${ports.queue}/${azuriteAccount}`;
  const blobEndpoint = ports.blob === undefined ? '' : `http://127.0.0.1:${ports.blob}/${azuriteAccount}`;
  const endpoints = [blobEndpoint && `BlobEndpoint=${blobEndpoint};`, queueEndpoint && `QueueEndpoint=${queueEndpoint};`].join('');
  let stopping: Promise<void> | undefined;
  return {
    queueEndpoint,
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${azuriteAccount};AccountKey=${accountKey};${endpoints}`,
    pid: child.pid ?? -1,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
        rmSync(cwd, { recursive: true, force: true });
        forgetChild();
        forgetDir();
      })();
      return stopping;
    },
  };
}

/** The queue service alone, as the functions tests use it. */
export function startAzuriteQueue(options: Omit<AzuriteOptions, 'services'> = {}): Promise<Azurite> {
  return startAzurite({ ...options, services: ['queue'] });
}
