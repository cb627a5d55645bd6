/**
 * `npm run doctor` for a managed identity, run as a child process against the identity emulator
 * (IDENTITY_ENDPOINT/IDENTITY_HEADER pointing at it), in every way the endpoint can fail. Each
 * case checks the verdict, the exit status, the error code and ids, the remedy by its id in
 * `--json` and by its words in the human output, and that nothing secret was printed.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { refusedUrl, startIdentityEmulator, type Fault, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import { assertFailure, checksOf, diagnoseTwice, emptyDirectory, postgresScope, runDoctorJson, secretsOf, statusesOf, tokenCheck, vaultScope, type Diagnosis } from './doctor-harness.js';

let ca: TestCa;
let identity: IdentityEmulator;
let cwd: ReturnType<typeof emptyDirectory>;

before(async () => {
  ca = createTestCa();
  identity = await startIdentityEmulator({ ca });
  cwd = emptyDirectory();
});
after(async () => {
  await identity.stop();
  ca.cleanup();
  cwd.remove();
});
beforeEach(() => identity.reset());

const platformEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  IDENTITY_ENDPOINT: identity.managedIdentityEndpoint,
  IDENTITY_HEADER: identity.identityHeader,
  TOKEN_REQUEST_TIMEOUT_MS: '2000',
  ...extra,
});

const diagnose = (env: Record<string, string>, arrange?: () => void, args?: string[]): Promise<Diagnosis> =>
  diagnoseTwice({ identity, target: 'mi', cwd: cwd.path, secrets: () => secretsOf(identity) }, env, arrange, args);

describe('doctor: managed identity', () => {
  it('a working system-assigned identity passes every check, with one token per default scope, and exits 0', async () => {
    const d = await diagnose(platformEnv());
    assert.equal(d.json.code, 0, d.json.stderr);
    assert.equal(d.human.code, 0);
    assert.equal(d.report.verdict.ok, true);
    assert.deepEqual(d.report.scopes, [vaultScope, postgresScope]);
    assert.deepEqual(statusesOf(d.report), {
      configuration: 'pass',
      'endpoint.dns': 'pass',
      'endpoint.tcp': 'pass',
      'endpoint.http': 'pass',
      clock: 'pass',
      [`token ${vaultScope}`]: 'pass',
      [`token ${postgresScope}`]: 'pass',
    });
    assert.equal(d.report.credential.kind, 'managed-identity');
    assert.match(d.report.credential.reason, /IDENTITY_ENDPOINT and IDENTITY_HEADER are set/);
    const setting = (name: string) => d.report.settings.find((s) => s.name === name);
    assert.deepEqual(setting('IDENTITY_HEADER'), { name: 'IDENTITY_HEADER', display: 'set (hidden)', origin: 'environment', secret: true });
    assert.equal(setting('IDENTITY_ENDPOINT')?.display, identity.managedIdentityEndpoint);
    assert.equal(setting('MANAGED_IDENTITY_CLIENT_ID')?.display, 'unset');
    const vault = tokenCheck(d.report, vaultScope);
    assert.equal(vault.facts?.['source'], 'managed-identity');
    assert.ok(Number(vault.facts?.['minutesLeft']) >= 58, 'minutes left on a 1 h token');
    assert.equal(typeof vault.facts?.['durationMs'], 'number');
    assert.ok(Date.parse(String(vault.facts?.['expiresOn'])) > Date.now());
    assert.equal(d.jsonRequests.length, 2, 'one request per scope, and none from the reachability probe');
    assert.match(d.human.stdout, /\[✓\] https:\/\/vault\.azure\.net\/\.default: managed identity token, expires .* \(\d+ min left\), in \d+ ms/);
    assert.match(d.human.stdout, /IDENTITY_HEADER +set \(hidden\)/);
    assert.match(d.human.stdout, /\n\[✓\] All 7 checks passed: this daemon can get tokens\.\n$/);
  });

  it('an endpoint that refuses connections fails at TCP and the token says no identity is enabled', async () => {
    const endpoint = await refusedUrl('/msi/token');
    const d = await diagnose(platformEnv({ IDENTITY_ENDPOINT: endpoint }));
    const [tcp] = checksOf(d.report, 'endpoint.tcp');
    assert.equal(tcp?.status, 'fail');
    assert.equal(tcp?.facts?.['code'], 'ECONNREFUSED');
    assert.equal(tcp?.remedy?.id, 'endpoint-unreachable');
    assert.equal(checksOf(d.report, 'endpoint.http').length, 0, 'nothing past the failing step');
    assertFailure(d, vaultScope, 'managed_identity_unreachable_network', 'identity-not-enabled');
    assert.ok(tokenCheck(d.report, vaultScope).remedy?.text.includes(endpoint), 'the remedy names the endpoint');
    assert.equal(tokenCheck(d.report, postgresScope).error?.requestSent, false, 'the second scope waits out the back-off: no request sent');
    assert.ok(tokenCheck(d.report, vaultScope).error?.clientRequestId, 'the client-request-id sent');
  });

  it('400 for the system-assigned identity: not enabled, with every id the endpoint returned', async () => {
    const body = { statusCode: 400, message: 'No managed identity found for the app.', correlationId: '5d3c9b1e-0000-4000-8000-00000000c0de' };
    const d = await diagnose(platformEnv(), () => identity.setPersistentFault('mi', { kind: 'status', status: 400, body }));
    assertFailure(d, vaultScope, 'managed_identity_failed_response', 'identity-not-enabled');
    const error = tokenCheck(d.report, vaultScope).error;
    const sent = d.jsonRequests[0];
    assert.equal(error?.status, 400);
    assert.equal(error?.correlationId, body.correlationId);
    assert.equal(error?.requestId, sent?.requestId, 'x-ms-request-id');
    assert.equal(error?.clientRequestId, sent?.headers['client-request-id']);
    assert.ok(d.human.stdout.includes(`correlationId ${body.correlationId}`), 'ids in the human output');
    assert.equal(tokenCheck(d.report, postgresScope).remedy?.id, 'identity-not-enabled', 'every scope fails the same way');
  });

  it('400 with MANAGED_IDENTITY_CLIENT_ID set: the user-assigned id is wrong, named with its value', async () => {
    const id = 'a1b2c3d4-1111-4222-8333-444455556666';
    const d = await diagnose(platformEnv({ MANAGED_IDENTITY_CLIENT_ID: id }), () => identity.setPersistentFault('mi', { kind: 'status', status: 400 }));
    assertFailure(d, vaultScope, 'managed_identity_failed_response', 'wrong-user-assigned-id');
    assert.ok(tokenCheck(d.report, vaultScope).remedy?.text.includes(`MANAGED_IDENTITY_CLIENT_ID=${id}`));
    assert.equal(d.report.credential.identity, `managed-identity:client-id=${id}`);
  });

  it('429 with Retry-After: throttled until the time the platform gave; the next scope is held back, not sent', async () => {
    const fault: Fault = { kind: 'status', status: 429, retryAfter: '30' };
    const started = Date.now();
    const d = await diagnose(platformEnv(), () => identity.script('mi', fault));
    assertFailure(d, vaultScope, 'throttled', 'throttled');
    const error = tokenCheck(d.report, vaultScope).error;
    const retryAt = Date.parse(error?.retryAt ?? '');
    assert.ok(retryAt >= started + 29_000 && retryAt <= Date.now() + 31_000, `retryAt ${error?.retryAt} is 30 s after the answer`);
    assert.ok(tokenCheck(d.report, vaultScope).remedy?.text.includes(error?.retryAt ?? '?'), 'the remedy says until when');
    const held = tokenCheck(d.report, postgresScope);
    assert.equal(held.error?.code, 'throttled');
    assert.equal(held.error?.requestSent, false);
    assert.equal(d.jsonRequests.length, 1, 'one request: the gate held the second scope');
  });

  it('500: the platform is failing, with the time of the next attempt', async () => {
    const d = await diagnose(platformEnv(), () => identity.script('mi', { kind: 'status', status: 500 }));
    assertFailure(d, vaultScope, 'managed_identity_failed_response', 'platform-unavailable');
    const error = tokenCheck(d.report, vaultScope).error;
    assert.equal(error?.status, 500);
    assert.ok(error?.retryAt && tokenCheck(d.report, vaultScope).remedy?.text.includes(error.retryAt));
  });

  it('a stale IDENTITY_HEADER is refused with 401 and named', async () => {
    const d = await diagnose(platformEnv({ IDENTITY_HEADER: 'copied-from-another-instance' }));
    assertFailure(d, vaultScope, 'managed_identity_failed_response', 'identity-header-rejected');
    assert.ok(!d.human.stdout.includes('copied-from-another-instance') && !d.json.stdout.includes('copied-from-another-instance'), 'the wrong header is a secret too');
  });

  it('--scope replaces the default scopes and --add-scope adds one; a scope without /.default is refused without a request', async () => {
    const storage = 'https://storage.azure.com/.default';
    const { report, result } = await runDoctorJson({ env: platformEnv(), args: ['--scope', storage, '--add-scope', 'https://vault.azure.net'], cwd: cwd.path });
    assert.deepEqual(report.scopes, [storage, 'https://vault.azure.net']);
    assert.equal(tokenCheck(report, storage).status, 'pass');
    const bad = tokenCheck(report, 'https://vault.azure.net');
    assert.equal(bad.error?.code, 'invalid_scope');
    assert.equal(bad.remedy?.id, 'invalid-scope');
    assert.equal(identity.tokenRequests('mi').length, 1, 'only the valid scope was requested');
    assert.equal(result.code, 1);
  });
});
