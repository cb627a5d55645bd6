/**
 * Runs one target script in a fresh `node` process: JSON result over stdout, control requests
 * over IPC (answered once applied), a deadline, and the monotonic time just before the spawn
 * (cold-start targets report the same clock when their first token is in hand).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RESULT_PREFIX, isControlRequest, type ControlRequest, type TargetData } from './protocol.js';

export interface SpawnRequest {
  /** File name under dist/test/bench/targets, without `.js`. */
  script: string;
  args: readonly string[];
  env: Record<string, string>;
  nodeArgs?: readonly string[];
  timeoutMs: number;
  onControl(request: ControlRequest): void;
}

export interface SpawnResult {
  data: TargetData;
  spawnedAtNs: bigint;
  wallMs: number;
}

export class TargetFailed extends Error {
  override readonly name = 'TargetFailed';
}

export function targetPath(script: string): string {
  return fileURLToPath(new URL(`./targets/${script}.js`, import.meta.url));
}

export function spawnTarget(request: SpawnRequest): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    const spawnedAtNs = process.hrtime.bigint();
    const child = spawn(process.execPath, [...(request.nodeArgs ?? []), targetPath(request.script), ...request.args], {
      env: request.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('message', (message: unknown) => {
      if (!isControlRequest(message)) return;
      try {
        request.onControl(message);
        child.send({ id: message.id });
      } catch (error) {
        child.send({ id: message.id, error: error instanceof Error ? error.message : String(error) });
      }
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, request.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - spawnedAtNs) / 1e6;
      const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_PREFIX));
      if (code === 0 && line !== undefined) {
        resolve({ data: JSON.parse(line.slice(RESULT_PREFIX.length)) as TargetData, spawnedAtNs, wallMs });
        return;
      }
      const why = timedOut ? `no result within ${request.timeoutMs} ms` : `exited with ${code ?? signal ?? 'nothing'}`;
      reject(new TargetFailed(`${request.script} ${request.args.join(' ')}: ${why}\n${stderr.trim().split('\n').slice(-8).join('\n')}${stdout.trim().split('\n').slice(-8).join('\n')}`));
    });
  });
}
