/**
 * `npm run doctor` when the settings themselves are wrong: no credential configured, an unknown
 * DAEMON_CREDENTIAL, a certificate file that is not there. The doctor names the setting, requests
 * no token, and exits 1; `--help` and bad usage behave like a command-line tool's.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checksOf, emptyDirectory, runDoctor, runDoctorJson, tenantId, clientId } from './doctor-harness.js';

let cwd: ReturnType<typeof emptyDirectory>;
before(() => {
  cwd = emptyDirectory();
});
after(() => cwd.remove());

describe('doctor: configuration errors', () => {
  it('nothing configured: says what to set in Azure and locally, requests nothing, exits 1', async () => {
    const { report, result } = await runDoctorJson({ env: {}, cwd: cwd.path });
    assert.equal(result.code, 1);
    assert.equal(report.credential.kind, undefined);
    assert.match(report.credential.reason, /nothing names a credential/);
    const [check] = checksOf(report, 'configuration');
    assert.equal(check?.status, 'fail');
    assert.equal(check?.error?.code, 'configuration_error');
    assert.equal(check?.error?.setting, 'IDENTITY_ENDPOINT or AZURE_CLIENT_CERTIFICATE_PATH');
    assert.equal(check?.remedy?.id, 'configuration');
    assert.match(check?.remedy?.text ?? '', /System assigned → On.*AZURE_CLIENT_CERTIFICATE_PATH/);
    assert.equal(report.checks.filter((c) => c.group !== 'configuration').length, 0, 'no endpoint or token check without a credential');
    assert.match(report.verdict.summary, /no token was requested until that is fixed/);

    const human = await runDoctor({ env: {}, cwd: cwd.path });
    assert.equal(human.code, 1);
    assert.match(human.stdout, /Credential: none\n {2}because nothing names a credential/);
    assert.match(human.stdout, /\[✗\] IDENTITY_ENDPOINT or AZURE_CLIENT_CERTIFICATE_PATH: No credential is configured/);
    assert.ok(human.stdout.includes(check?.remedy?.text ?? '?'));
    assert.match(human.stdout, /\n\[✗\] 1 of 1 check failed: no token was requested until that is fixed\.\n$/);
  });

  it('an unknown DAEMON_CREDENTIAL is named with its value and the values it may take', async () => {
    const { report, result } = await runDoctorJson({ env: { DAEMON_CREDENTIAL: 'keyvault', IDENTITY_ENDPOINT: 'http://127.0.0.1:9/msi/token', IDENTITY_HEADER: 'h-e-a-d-e-r' }, cwd: cwd.path });
    assert.equal(result.code, 1);
    const [check] = checksOf(report, 'configuration');
    assert.equal(check?.error?.setting, 'DAEMON_CREDENTIAL');
    assert.match(check?.finding ?? '', /'keyvault'/);
    assert.equal(check?.remedy?.id, 'configuration');
    assert.match(check?.remedy?.text ?? '', /'managed-identity' or 'certificate'/);
    assert.match(report.credential.reason, /'keyvault', which names no credential/);
    assert.ok(!result.stdout.includes('h-e-a-d-e-r'));
  });

  it('a certificate file that is not there names AZURE_CLIENT_CERTIFICATE_PATH and the path', async () => {
    const missing = join(cwd.path, 'no-such-cert.pem');
    const env = { AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_CERTIFICATE_PATH: missing };
    const { report, result } = await runDoctorJson({ env, cwd: cwd.path });
    assert.equal(result.code, 1);
    assert.equal(report.credential.kind, 'certificate', 'the credential it was trying to use');
    const [check] = checksOf(report, 'configuration');
    assert.equal(check?.title, 'AZURE_CLIENT_CERTIFICATE_PATH');
    assert.match(check?.finding ?? '', /no-such-cert\.pem' cannot be read \(ENOENT\)/);
    assert.equal(check?.remedy?.id, 'configuration');
    assert.match(check?.remedy?.text ?? '', /Point AZURE_CLIENT_CERTIFICATE_PATH at a readable PEM file/);
    assert.equal(report.settings.find((s) => s.name === 'AZURE_CLIENT_CERTIFICATE_PATH')?.display, missing);
  });

  it('a bad TOKEN_REQUEST_TIMEOUT_MS or SQL_ENGINE fails the configuration, naming the setting', async () => {
    const { report, result } = await runDoctorJson({ env: { TOKEN_REQUEST_TIMEOUT_MS: 'soon', SQL_ENGINE: 'mysql', IDENTITY_ENDPOINT: 'http://127.0.0.1:9/msi/token', IDENTITY_HEADER: 'x-header' }, args: ['--scope', 'https://vault.azure.net'], cwd: cwd.path });
    assert.equal(result.code, 1);
    const settings = checksOf(report, 'configuration').filter((c) => c.status === 'fail').map((c) => c.error?.setting);
    assert.deepEqual(settings, ['TOKEN_REQUEST_TIMEOUT_MS', 'SQL_ENGINE']);
  });

  it('--help prints the usage and exits 0; an unknown option prints it to stderr and exits 2', async () => {
    const help = await runDoctor({ env: {}, args: ['--help'], cwd: cwd.path });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: npm run doctor/);
    assert.match(help.stdout, /--json/);
    assert.match(help.stdout, /Exit status: 0 when every check passed/);
    const bad = await runDoctor({ env: {}, args: ['--verbose-please'], cwd: cwd.path });
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^doctor: Unknown option '--verbose-please'/);
  });
});
