/**
 * Runs the built doctor (dist/src/doctor/cli.js) as a user would: a child process with only the
 * environment the test gives it, in a directory of the test's choosing (so no stray
 * local.settings.json is read), and checks that nothing secret reached its output.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Check, DoctorReport } from '../../src/doctor/report.js';
import type { ClientCertificate } from '../../src/sandbox/ca.js';
import type { IdentityEmulator, IdentityTarget, RecordedRequest } from '../../src/sandbox/identity/index.js';
import { cleanEnv } from '../support/child-process.js';
import { findLeaks, pemSecrets, type Secret } from '../telemetry/support/secret-scan.js';

export const doctorCli = fileURLToPath(new URL('../../src/doctor/cli.js', import.meta.url));
export const tenantId = '3c9a1f2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b';
export const clientId = '8e7d6c5b-4a39-4281-8f70-6e5d4c3b2a19';
export const vaultScope = 'https://vault.azure.net/.default';
export const postgresScope = 'https://ossrdbms-aad.database.windows.net/.default';

export interface DoctorResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Settings from the test machine that would change what the doctor reads. */
const appSettings = /^(DAEMON_CREDENTIAL|MANAGED_IDENTITY_|SQL_ENGINE|TOKEN_REQUEST_TIMEOUT_MS|HTTPS?_PROXY|NO_PROXY)/i;

export function runDoctor(options: { env: Record<string, string | undefined>; args?: string[]; cwd: string; timeoutMs?: number }): Promise<DoctorResult> {
  const env = Object.fromEntries(Object.entries(cleanEnv(options.env)).filter(([name]) => !appSettings.test(name) || name in options.env));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [doctorCli, ...(options.args ?? [])], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function runDoctorJson(options: { env: Record<string, string | undefined>; args?: string[]; cwd: string }): Promise<{ result: DoctorResult; report: DoctorReport }> {
  const result = await runDoctor({ ...options, args: ['--json', ...(options.args ?? [])] });
  let report: DoctorReport;
  try {
    report = JSON.parse(result.stdout) as DoctorReport;
  } catch {
    throw new Error(`the doctor printed no JSON report (exit ${String(result.code)});\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  return { result, report };
}

/** A directory with nothing in it, for the doctor's working directory. */
export function emptyDirectory(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'rdf-doctor-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Every secret a run could leak: issued tokens, the identity header, key and certificate PEM lines, passwords. */
export function secretsOf(identity: IdentityEmulator, certificates: readonly ClientCertificate[] = [], extra: readonly Secret[] = []): Secret[] {
  return [
    ...identity.issuedTokens.map((issued, index) => ({ label: `issued token ${index + 1}`, value: issued.token })),
    { label: 'IDENTITY_HEADER', value: identity.identityHeader },
    ...certificates.flatMap((certificate) => [
      ...pemSecrets(`key of ${certificate.path}`, certificate.keyPem),
      ...pemSecrets(`certificate of ${certificate.path}`, certificate.certPem),
      ...(certificate.password ? [{ label: 'certificate password', value: certificate.password }] : []),
    ]),
    ...extra,
  ];
}

export function assertNothingSecret(result: DoctorResult, secrets: readonly Secret[]): void {
  const leaks = findLeaks([{ label: 'stdout', text: result.stdout }, { label: 'stderr', text: result.stderr }], secrets);
  assert.deepEqual(leaks, [], 'nothing secret in the output');
  assert.doesNotMatch(result.stdout + result.stderr, /-----BEGIN/, 'no PEM block in the output');
}

export function checksOf(report: DoctorReport, id: string): Check[] {
  return report.checks.filter((check) => check.id === id);
}

export function tokenCheck(report: DoctorReport, scope: string): Check {
  const check = report.checks.find((c) => c.id === 'token' && c.scope === scope);
  assert.ok(check, `a token check for ${scope}`);
  return check;
}

export function statusesOf(report: DoctorReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((check) => [`${check.id}${check.scope ? ` ${check.scope}` : ''}`, check.status]));
}

export interface Diagnosis {
  report: DoctorReport;
  json: DoctorResult;
  human: DoctorResult;
  /** The token requests the emulator received during the `--json` run. */
  jsonRequests: RecordedRequest[];
}

export interface DiagnosisContext {
  identity: IdentityEmulator;
  target: IdentityTarget;
  cwd: string;
  /** Read after both runs, so that tokens issued during them are included. */
  secrets: () => Secret[];
}

/**
 * The doctor twice, `--json` and human, each after `arrange` scripted the emulator the same way
 * (faults are consumed by the first run); both outputs are scanned for secrets.
 */
export async function diagnoseTwice(context: DiagnosisContext, env: Record<string, string>, arrange: () => void = () => undefined, args: string[] = []): Promise<Diagnosis> {
  context.identity.reset();
  arrange();
  const { result: json, report } = await runDoctorJson({ env, args, cwd: context.cwd });
  const jsonRequests = context.identity.tokenRequests(context.target);
  context.identity.reset();
  arrange();
  const human = await runDoctor({ env, args, cwd: context.cwd });
  for (const result of [json, human]) assertNothingSecret(result, context.secrets());
  return { report, json, human, jsonRequests };
}

/** The failure is reported with its code and remedy, in both outputs, and the exit status is 1. */
export function assertFailure(d: Diagnosis, scope: string, code: string, remedyId: string): Check {
  const check = tokenCheck(d.report, scope);
  assert.equal(check.status, 'fail');
  assert.equal(check.error?.code, code);
  assert.equal(check.remedy?.id, remedyId);
  assert.equal(d.report.verdict.ok, false);
  assert.equal(d.json.code, 1);
  assert.equal(d.human.code, 1);
  assert.ok(d.human.stdout.includes(`[${remedyId}]`), `remedy ${remedyId} in the human output`);
  assert.ok(d.human.stdout.includes((check.remedy?.text ?? '').slice(0, 60)), 'the remedy text in the human output');
  assert.match(d.human.stdout, /\n\[✗\] \d+ of \d+ checks? failed/, 'a failing verdict line last');
  return check;
}
