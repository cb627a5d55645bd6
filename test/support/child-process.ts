/**
 * Runs a Node.js script in a child process with a controlled environment and captures its
 * output. Needed wherever process-wide state must start fresh: `NODE_EXTRA_CA_CERTS` is read only
 * at start-up, and `@azure/identity` keeps managed-identity state for the whole process.
 */
import { spawn } from 'node:child_process';

export interface NodeRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface NodeRunOptions {
  args?: string[];
  /** Added to a copy of this process's environment with identity-related variables removed. */
  env?: Record<string, string | undefined>;
  /** The child is killed after this long; 20 s unless given. */
  timeoutMs?: number;
}

/** Variables that would silently change which identity a child uses; a child gets only what the test gives it. */
const IDENTITY_ENV = /^(AZURE_|IDENTITY_|MSI_|IMDS_|NODE_EXTRA_CA_CERTS$|NODE_OPTIONS$)/;

export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !IDENTITY_ENV.test(name)) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export function runNodeScript(scriptPath: string, options: NodeRunOptions = {}): Promise<NodeRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [scriptPath, ...(options.args ?? [])], {
      env: cleanEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
