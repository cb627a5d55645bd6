/**
 * `npm run doctor` for certificate credentials, run as a child process against the identity
 * emulator's Entra endpoint over HTTPS (its CA trusted through NODE_EXTRA_CA_CERTS), in every way
 * Entra can refuse: an unregistered certificate, a wrong tenant, missing consent, an unknown
 * resource, an outage, a clock that is off; and with the settings in local.settings.json.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import {
  assertFailure,
  checksOf,
  clientId,
  diagnoseTwice,
  emptyDirectory,
  postgresScope,
  runDoctorJson,
  secretsOf,
  statusesOf,
  tenantId,
  tokenCheck,
  vaultScope,
  type Diagnosis,
} from './doctor-harness.js';

let ca: TestCa;
let identity: IdentityEmulator;
let cwd: ReturnType<typeof emptyDirectory>;
/** Registered on the app; 90 days, so no renewal warning. */
let certificate: ClientCertificate;
/** A valid certificate the app registration does not have. */
let stranger: ClientCertificate;
/** Registered, but expiring in two days. */
let expiring: ClientCertificate;
const password = 'doctor-p@ssword';

before(async () => {
  ca = createTestCa();
  certificate = ca.makeClientCertificate('doctor-app', { password, days: 90 });
  stranger = ca.makeClientCertificate('doctor-stranger', { days: 90 });
  expiring = ca.makeClientCertificate('doctor-expiring', { days: 2 });
  identity = await startIdentityEmulator({ ca });
  identity.registerClient({ tenantId, clientId, certPem: certificate.certPem });
  identity.registerClient({ tenantId, clientId, certPem: expiring.certPem });
  cwd = emptyDirectory();
});
after(async () => {
  await identity.stop();
  ca.cleanup();
  cwd.remove();
});
beforeEach(() => identity.reset());

const certificateEnv = (cert: ClientCertificate = certificate, extra: Record<string, string> = {}): Record<string, string> => ({
  AZURE_TENANT_ID: tenantId,
  AZURE_CLIENT_ID: clientId,
  AZURE_CLIENT_CERTIFICATE_PATH: cert.path,
  ...(cert.password ? { AZURE_CLIENT_CERTIFICATE_PASSWORD: cert.password } : {}),
  AZURE_AUTHORITY_HOST: identity.authorityHost,
  NODE_EXTRA_CA_CERTS: ca.caCertPath,
  TOKEN_REQUEST_TIMEOUT_MS: '3000',
  ...extra,
});

const diagnose = (env: Record<string, string>, arrange?: () => void, args?: string[]): Promise<Diagnosis> =>
  diagnoseTwice({ identity, target: 'entra', cwd: cwd.path, secrets: () => secretsOf(identity, [certificate, stranger, expiring]) }, env, arrange, args);

/** Entra's error body, as the real service shapes it. */
function entraBody(error: string, code: number, description: string): object {
  return {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: 0f1e2d3c-0000-4000-8000-7ace00000001 Correlation ID: 0f1e2d3c-0000-4000-8000-c0e000000001 Timestamp: 2026-03-01 12:00:00Z`,
    error_codes: [code],
    timestamp: '2026-03-01 12:00:00Z',
    trace_id: '0f1e2d3c-0000-4000-8000-7ace00000001',
    correlation_id: '0f1e2d3c-0000-4000-8000-c0e000000001',
  };
}

describe('doctor: certificate credentials', () => {
  it('a registered certificate passes every check: its public facts shown, its password hidden, one token per scope', async () => {
    const d = await diagnose(certificateEnv());
    assert.equal(d.json.code, 0, d.json.stdout);
    assert.equal(d.human.code, 0);
    assert.deepEqual(statusesOf(d.report), {
      configuration: 'pass',
      certificate: 'pass',
      'endpoint.dns': 'pass',
      'endpoint.tcp': 'pass',
      'endpoint.tls': 'pass',
      'endpoint.http': 'pass',
      clock: 'pass',
      [`token ${vaultScope}`]: 'pass',
      [`token ${postgresScope}`]: 'pass',
    });
    assert.equal(d.report.credential.kind, 'certificate');
    assert.match(d.report.credential.reason, /AZURE_TENANT_ID and AZURE_CLIENT_CERTIFICATE_PATH are set/);
    const facts = d.report.credential.certificate;
    assert.equal(facts?.path, certificate.path);
    assert.equal(facts?.subject, 'CN=doctor-app');
    assert.equal(Buffer.from(facts?.thumbprint ?? '', 'hex').toString('base64url'), certificate.x5t, 'the SHA-1 thumbprint');
    assert.ok(Date.parse(facts?.notAfter ?? '') > Date.now() + 80 * 86_400_000);
    assert.equal(d.report.settings.find((s) => s.name === 'AZURE_CLIENT_CERTIFICATE_PASSWORD')?.display, 'set (hidden)');
    assert.equal(tokenCheck(d.report, postgresScope).facts?.['source'], 'certificate');
    assert.match(d.human.stdout, /thumbprint +[0-9A-F]{40}\n/);
    assert.match(d.human.stdout, /\[✓\] TLS: handshake in \d+ ms; certificate CN=127\.0\.0\.1 from CN=rdf test CA trusted/);
    assert.match(d.human.stdout, /\n\[✓\] All 9 checks passed: this daemon can get tokens\.\n$/);
  });

  it('a certificate the app registration does not have: AADSTS700027, certificate-not-registered, named by thumbprint', async () => {
    const d = await diagnose(certificateEnv(stranger));
    const check = assertFailure(d, vaultScope, 'invalid_client_credential', 'certificate-not-registered');
    assert.deepEqual(check.error?.errorCodes, [700027]);
    assert.equal(check.error?.status, 401);
    assert.ok(check.remedy?.text.includes(d.report.credential.certificate?.thumbprint ?? '?'));
    const sent = d.jsonRequests.find((request) => request.form?.['scope']?.includes(vaultScope));
    assert.equal(check.error?.requestId, sent?.requestId, 'x-ms-request-id');
    assert.equal(check.error?.traceId, sent?.requestId, "Entra's trace id is its request id");
    assert.ok(check.error?.correlationId && check.error.clientRequestId, 'correlation and client-request ids');
  });

  it('a wrong tenant (AADSTS90002) says which tenant and where to find the right one', async () => {
    const body = entraBody('invalid_request', 90002, `Tenant '${tenantId}' not found.`);
    const d = await diagnose(certificateEnv(), () => identity.setPersistentFault('entra', { kind: 'status', status: 400, body }));
    const check = assertFailure(d, vaultScope, 'token_request_rejected', 'wrong-tenant');
    assert.ok(check.remedy?.text.includes(tenantId));
    assert.equal(check.error?.correlationId, '0f1e2d3c-0000-4000-8000-c0e000000001');
    assert.equal(check.error?.traceId, '0f1e2d3c-0000-4000-8000-7ace00000001');
    assert.ok(d.human.stdout.includes('errorCodes AADSTS90002'));
  });

  it('missing admin consent (AADSTS65001) fails that scope only; the others still get tokens', async () => {
    const body = entraBody('invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${clientId}'.`);
    const d = await diagnose(certificateEnv(), () => identity.script('entra', { kind: 'status', status: 400, body }));
    const check = assertFailure(d, vaultScope, 'token_request_rejected', 'missing-admin-consent');
    assert.ok(check.remedy?.text.includes('https://vault.azure.net'));
    assert.equal(tokenCheck(d.report, postgresScope).status, 'pass');
    assert.match(d.report.verdict.summary, /^1 of 9 checks failed: no token for https:\/\/vault\.azure\.net\/\.default\.$/);
  });

  it('an unknown resource (AADSTS500011) is told apart from consent', async () => {
    const body = entraBody('invalid_resource', 500011, "The resource principal named https://vault.azure.net was not found in the tenant.");
    const d = await diagnose(certificateEnv(), () => identity.script('entra', { kind: 'status', status: 400, body }));
    const check = assertFailure(d, vaultScope, 'invalid_scope', 'unknown-resource');
    assert.match(check.remedy?.text ?? '', /not about consent/);
  });

  it('a 503 from Entra: the platform is failing; the next scope is held back by the back-off', async () => {
    const d = await diagnose(certificateEnv(), () => identity.script('entra', { kind: 'status', status: 503 }));
    const check = assertFailure(d, vaultScope, 'identity_platform_unavailable', 'platform-unavailable');
    assert.equal(check.error?.status, 503);
    assert.equal(tokenCheck(d.report, postgresScope).error?.requestSent, false);
    assert.equal(d.jsonRequests.length, 1);
  });

  it('AADSTS700024 from a server whose clock is 10 minutes behind: clock skew, measured from its Date header', async () => {
    const body = entraBody('invalid_client', 700024, 'Client assertion is not within its valid time range.');
    const date = new Date(Date.now() - 10 * 60_000).toUTCString();
    const d = await diagnose(certificateEnv(), () => identity.script('entra', { kind: 'status', status: 401, body, headers: { date } }));
    const check = assertFailure(d, vaultScope, 'invalid_client_credential', 'clock-skew');
    assert.match(check.remedy?.text ?? '', /This machine's clock is (9|10) min \d+ s ahead of/);
    const [clock] = checksOf(d.report, 'clock');
    assert.equal(clock?.status, 'warn');
    assert.equal(clock?.remedy?.id, 'clock-skew');
    assert.match(d.human.stdout, /\[!\] Clock: this clock is (9|10) min \d+ s ahead of https:\/\/127\.0\.0\.1:\d+/);
  });

  it('a certificate two days from expiry gets tokens, with a warning to renew it, and still exits 0', async () => {
    const { report, result } = await runDoctorJson({ env: certificateEnv(expiring), args: ['--scope', vaultScope], cwd: cwd.path });
    const [check] = checksOf(report, 'certificate');
    assert.equal(check?.status, 'warn');
    assert.equal(check?.remedy?.id, 'certificate-expiring');
    assert.equal(report.verdict.ok, true);
    assert.equal(result.code, 0);
  });

  it('settings from local.settings.json, the environment winning, NODE_EXTRA_CA_CERTS from the file trusted as func start would', async () => {
    const dir = emptyDirectory();
    try {
      const values = { ...certificateEnv(), DAEMON_CREDENTIAL: 'managed-identity', IDENTITY_ENDPOINT: 'http://127.0.0.1:9/msi/token', IDENTITY_HEADER: 'file-header-value' };
      writeFileSync(join(dir.path, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: values }));
      const { report, result } = await runDoctorJson({ env: { DAEMON_CREDENTIAL: 'certificate' }, cwd: dir.path });
      assert.equal(result.code, 0, result.stdout);
      assert.equal(report.localSettingsFile, join(dir.path, 'local.settings.json'));
      assert.equal(report.credential.kind, 'certificate');
      assert.match(report.credential.reason, /DAEMON_CREDENTIAL is 'certificate'/);
      const origin = (name: string) => report.settings.find((s) => s.name === name)?.origin;
      assert.equal(origin('DAEMON_CREDENTIAL'), 'environment');
      assert.equal(origin('AZURE_TENANT_ID'), 'local.settings.json');
      assert.equal(origin('NODE_EXTRA_CA_CERTS'), 'local.settings.json');
      assert.equal(checksOf(report, 'endpoint.tls')[0]?.status, 'pass', 'the CA named in the file is trusted');
      assert.ok(!result.stdout.includes(password) && !result.stdout.includes('file-header-value'), 'secrets from the file stay hidden');
    } finally {
      dir.remove();
    }
  });
});
