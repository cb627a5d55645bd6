/**
 * Azurite's queue service (npm `azurite`, the real Storage Queue API) in a child process, in
 * memory, on 127.0.0.1 with an OS-chosen port. `stop()` ends the child and waits for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Azurite's well-known development account (public, documented, not a secret). */
const account = 'devstoreaccount1';
const accountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  queueEndpoint: string;
  /** What `AzureWebJobsStorage` holds locally. */
  connectionString: string;
  stop(): Promise<void>;
}

export async function startAzuriteQueue(): Promise<Azurite> {
  const require = createRequire(import.meta.url);
  const main = join(dirname(require.resolve('azurite/package.json')), 'dist/src/queue/main.js');
  const cwd = mkdtempSync(join(tmpdir(), 'rdf-azurite-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [main, '--inMemoryPersistence', '--extentMemoryLimit', '64', '--queueHost', '127.0.0.1', '--queuePort', '0', '--skipApiVersionCheck', '--loose', '--disableTelemetry'],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Azurite did not start: ${output}`)), 20_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with ${code}: ${output}`));
    });
  });
  child.stdout?.resume();
  const queueEndpoint = `http://127.0.0.1:${port}/${account}`;
  return {
    queueEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${accountKey};QueueEndpoint=${queueEndpoint};`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
