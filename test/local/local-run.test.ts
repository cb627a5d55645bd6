/**
 * `npm run local` end to end, as a user runs it: a fresh process, the real sandbox, a summary
 * that says everything expected happened, and nothing left behind — no process, no temporary
 * file — whether the run ends by itself, by Ctrl-C, or with a fault injected.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestCa } from '../../src/sandbox/ca.js';
import { startIngestionServer } from '../../src/sandbox/ingestion/index.js';

const cli = fileURLToPath(new URL('../../src/local/cli.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runLocal(args: string[], scratch: string, onProgress?: (line: string, interrupt: () => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    // TMPDIR marks every process and file of this run: children inherit it.
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, TMPDIR: scratch }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      for (const line of chunk.split('\n')) if (line) onProgress?.(line, () => child.kill('SIGINT'));
    });
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Processes (not zombies) whose environment carries this run's TMPDIR. */
function processesOf(scratch: string): number[] {
  const marker = `TMPDIR=${scratch}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) found.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rdf-local-run-'));
  // The sandbox's PostgreSQL runs as another user when this runs as root.
  chmodSync(dir, 0o755);
  return dir;
}

async function assertNothingLeft(scratch: string): Promise<void> {
  for (let i = 0; i < 50 && processesOf(scratch).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(processesOf(scratch), [], 'no process of the run is left');
  assert.deepEqual(readdirSync(scratch), [], 'no temporary file of the run is left');
}

describe('npm run local', () => {
  it('--help lists every option and fault', async () => {
    const scratch = scratchDir();
    try {
      const run = await runLocal(['--help'], scratch);
      assert.equal(run.code, 0);
      for (const text of ['--fault', '--keep', '--json', 'identity-throttled', 'identity-outage', 'identity-unreachable', 'keyvault-throttled', 'postgres-down']) assert.ok(run.stdout.includes(text), text);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('an unknown option or fault is a usage error (exit 2), not a run', async () => {
    const scratch = scratchDir();
    try {
      const run = await runLocal(['--fault', 'meteor'], scratch);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /unknown fault 'meteor'/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('runs the sweep and the worker on the sandbox to a green summary, and leaves nothing behind', async () => {
    const scratch = scratchDir();
    try {
      const run = await runLocal(['--json'], scratch);
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout) as { ok: boolean; checks: { what: string; ok: boolean; detail: string }[]; real: Record<string, boolean>; identity: { requests: number }; telemetryItems: Record<string, number> };
      assert.equal(summary.ok, true);
      assert.deepEqual(summary.checks.filter((c) => !c.ok), []);
      assert.deepEqual(Object.values(summary.real), [false, false, false, false, false], 'every part was the sandbox');
      assert.ok(summary.identity.requests <= 4, 'a token per scope, not per call');
      assert.ok((summary.telemetryItems['EventData'] ?? 0) > 0, 'telemetry reached the ingestion capture');
      for (const part of ['identity (sandbox)', 'Key Vault (sandbox)', 'Azurite', 'PostgreSQL']) assert.ok(run.stderr.includes(part), `progress line for ${part}`);
      await assertNothingLeft(scratch);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('Ctrl-C while the app runs stops every process it started and removes every file', async () => {
    const scratch = scratchDir();
    try {
      let interrupted = false;
      const run = await runLocal([], scratch, (line, interrupt) => {
        if (!interrupted && line.includes('enqueued')) {
          interrupted = true;
          interrupt();
        }
      });
      assert.ok(interrupted, run.stderr);
      assert.equal(run.code, 130);
      assert.match(run.stderr, /SIGINT: stopping everything/);
      await assertNothingLeft(scratch);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('--fault keyvault-throttled: the vault throttles, the product waits as told, and nothing is lost', async () => {
    const scratch = scratchDir();
    try {
      const run = await runLocal(['--json', '--fault', 'keyvault-throttled'], scratch);
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      const summary = JSON.parse(run.stdout) as { ok: boolean; fault: string };
      assert.equal(summary.fault, 'keyvault-throttled');
      assert.equal(summary.ok, true);
      await assertNothingLeft(scratch);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('npm run local with a real service', () => {
  it('a part whose setting is present is the real service: telemetry goes to the configured Application Insights, and the summary says so', async () => {
    const scratch = scratchDir();
    // Stands in for the user's real Application Insights: its own CA, trusted the way a user trusts one.
    const ca = createTestCa();
    const ingestion = await startIngestionServer({ tls: { cert: ca.serverCertPem, key: ca.serverKeyPem } });
    try {
      const run = await new Promise<Run>((resolve, reject) => {
        const child = spawn(process.execPath, [cli, '--json'], {
          env: { ...process.env, TMPDIR: scratch, APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString, NODE_EXTRA_CA_CERTS: ca.caCertPath },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.once('error', reject);
        child.once('close', (code) => resolve({ code, stdout, stderr }));
      });
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout) as { ok: boolean; real: Record<string, boolean> };
      assert.deepEqual(summary.real, { identity: false, vault: false, database: false, storage: false, telemetry: true });
      assert.doesNotMatch(run.stderr, /App Insights \(sandbox\)/, 'no sandbox ingestion was started');
      assert.ok(ingestion.envelopes.some((e) => e.data?.baseData?.['name'] === 'InventorySweepCompleted'), 'the sweep reached the configured Application Insights');
      await assertNothingLeft(scratch);
    } finally {
      await ingestion.stop();
      ca.cleanup();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
