/**
 * `npm run soak` still works end to end, small: 6 s of real time on the sandbox (both functions,
 * the fault schedule, a PostgreSQL restart) and one simulated day per credential kind, in a fresh
 * process as a user runs it. Every bound must hold and the summary must balance. The full soak
 * (3 min + 3 days) is not run in CI.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseSoakArgs, usage } from './args.js';

const cli = fileURLToPath(new URL('./cli.js', import.meta.url));

function runSoak(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Summary {
  ok: boolean;
  checks: { what: string; ok: boolean; measured: string }[];
  phaseA: { sent: { good: number; bad: number }; stored: number; poisoned: { total: number }; faults: string[]; app: { resources: { leftover: Record<string, number> } } };
  phaseB: { kind: string; calls: number; scopes: { perLifetime: number }[] }[];
}

describe('npm run soak (smoke: 6 s real time, 1 simulated day)', () => {
  it('--help states the options; bad options are usage errors', () => {
    for (const option of ['--minutes', '--simulated-days', '--json']) assert.ok(usage.includes(option), option);
    assert.deepEqual(parseSoakArgs([]), { help: false, json: false, minutes: 3, simulatedDays: 3 });
    assert.throws(() => parseSoakArgs(['--minutes', 'soon']), /--minutes takes a number/);
    assert.throws(() => parseSoakArgs(['--forever']), /unknown option/);
  });

  it('runs both phases under the fault schedule with every bound held, nothing lost and nothing left', async () => {
    const run = await runSoak(['--minutes', '0.1', '--simulated-days', '1', '--json']);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr.slice(-2_000)}`);
    const summary = JSON.parse(run.stdout) as Summary;
    assert.equal(summary.ok, true);
    assert.deepEqual(summary.checks.filter((c) => !c.ok), []);
    const a = summary.phaseA;
    assert.ok(a.sent.good > 0, 'messages were produced');
    assert.equal(a.stored, a.sent.good, 'every good message stored');
    assert.equal(a.poisoned.total, a.sent.bad, 'only the bad ones poisoned');
    assert.ok(a.faults.some((f) => f.startsWith('PostgreSQL: restart')), 'the schedule reached the PostgreSQL restart');
    assert.deepEqual(a.app.resources.leftover, {});
    assert.deepEqual(summary.phaseB.map((k) => k.kind), ['managed-identity', 'certificate']);
    for (const kind of summary.phaseB) for (const scope of kind.scopes) assert.ok(scope.perLifetime > 0.9 && scope.perLifetime <= 1.5, `${kind.kind}: ${scope.perLifetime} per lifetime`);
    for (const part of ['identity', 'Key Vault', 'Azurite', 'PostgreSQL', 'Phase B']) assert.ok(run.stderr.includes(part), `progress line for ${part}`);
  });
});
