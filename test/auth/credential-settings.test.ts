/**
 * Credential choice is deterministic from configuration, and every misconfiguration is a
 * configuration_error at start-up that names the setting.
 */
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { CertificateStore } from '../../src/auth/certificate-store.js';
import { createTokenSource } from '../../src/auth/create-provider.js';
import { credentialSettingsFromEnvironment, tokenMaxWaitSetting, tokenRequestTimeoutSetting, type Environment } from '../../src/auth/credential-settings.js';
import { isTokenError, type TokenError } from '../../src/auth/errors.js';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';

let ca: TestCa;
let plain: ClientCertificate;
let protectedCert: ClientCertificate;
let ecKey: ClientCertificate;
let shortRsaKey: ClientCertificate;
let pssKey: ClientCertificate;
const tenant = '7b1c2f4e-0c1d-4f5e-9a8b-1c2d3e4f5a6b';
const client = '0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b';
const resourceId = '/subscriptions/5e6f7a8b-0000-4000-8000-000000000001/resourceGroups/rg-batch/providers/Microsoft.ManagedIdentity/userAssignedIdentities/batch-identity';

before(() => {
  ca = createTestCa();
  plain = ca.makeClientCertificate('settings-plain', { subject: '/CN=settings-plain/O=Contoso/OU=Batch' });
  protectedCert = ca.makeClientCertificate('settings-protected', { password: 'correct horse', subject: '/CN=settings-protected/O=Contoso' });
  ecKey = ca.makeClientCertificate('settings-ec', { key: 'ec-p256' });
  shortRsaKey = ca.makeClientCertificate('settings-rsa-1024', { key: 'rsa-1024' });
  pssKey = ca.makeClientCertificate('settings-rsa-pss', { key: 'rsa-pss-2048' });
});
after(() => ca.cleanup());

function certificateEnv(extra: Environment = {}): Environment {
  return { AZURE_TENANT_ID: tenant, AZURE_CLIENT_ID: client, AZURE_CLIENT_CERTIFICATE_PATH: plain.path, ...extra };
}

function configurationErrorFor(env: Environment, now?: Date): TokenError {
  try {
    credentialSettingsFromEnvironment(env, now);
  } catch (error) {
    assert.ok(isTokenError(error), String(error));
    assert.equal(error.code, 'configuration_error');
    assert.ok(error.message.includes(error.setting ?? '<none>'), `the message names ${error.setting}: ${error.message}`);
    return error;
  }
  assert.fail('expected a configuration error');
}

describe('credential choice', () => {
  it('managed identity (App Service protocol) when the platform sets IDENTITY_ENDPOINT and IDENTITY_HEADER', () => {
    const settings = credentialSettingsFromEnvironment({ IDENTITY_ENDPOINT: 'http://127.0.0.1:41234/msi/token', IDENTITY_HEADER: 'h', ...certificateEnv() });
    assert.equal(settings.kind, 'managed-identity');
    assert.equal(settings.kind === 'managed-identity' && settings.managedIdentity.protocol, 'app-service');
  });

  it('certificate credentials when only they are configured (local development)', () => {
    const settings = credentialSettingsFromEnvironment(certificateEnv());
    assert.equal(settings.kind, 'certificate');
    if (settings.kind !== 'certificate') return;
    assert.equal(settings.certificate.authorityHost, 'https://login.microsoftonline.com');
    assert.equal(settings.certificate.disableInstanceDiscovery, false);
    assert.equal(settings.certificate.sendCertificateChain, false);
  });

  it('instance discovery is skipped for authority hosts outside the public clouds', () => {
    const settings = credentialSettingsFromEnvironment(certificateEnv({ AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443', AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: 'true' }));
    assert.ok(settings.kind === 'certificate' && settings.certificate.disableInstanceDiscovery && settings.certificate.sendCertificateChain);
  });

  it('DAEMON_CREDENTIAL=managed-identity without the App Service variables uses IMDS', () => {
    const settings = credentialSettingsFromEnvironment({ DAEMON_CREDENTIAL: 'managed-identity', MANAGED_IDENTITY_CLIENT_ID: '11111111-2222-4333-8444-555555555555' });
    assert.ok(settings.kind === 'managed-identity');
    assert.equal(settings.managedIdentity.protocol, 'imds');
    assert.equal(settings.managedIdentity.endpoint, 'http://169.254.169.254/metadata/identity/oauth2/token');
    assert.deepEqual(settings.managedIdentity.userAssigned, { kind: 'client-id', value: '11111111-2222-4333-8444-555555555555' });
  });

  it('an encrypted key with the right password is accepted', () => {
    const settings = credentialSettingsFromEnvironment(certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: protectedCert.path, AZURE_CLIENT_CERTIFICATE_PASSWORD: 'correct horse' }));
    assert.equal(settings.kind, 'certificate');
  });

  it('a user-assigned identity by ARM resource id or by object id', () => {
    for (const [name, kind, value] of [
      ['MANAGED_IDENTITY_RESOURCE_ID', 'resource-id', resourceId],
      ['MANAGED_IDENTITY_OBJECT_ID', 'object-id', client],
    ] as const) {
      const settings = credentialSettingsFromEnvironment({ DAEMON_CREDENTIAL: 'managed-identity', [name]: value });
      assert.deepEqual(settings.kind === 'managed-identity' && settings.managedIdentity.userAssigned, { kind, value }, name);
    }
  });

  it('instance discovery stays on for every public cloud; the authority is its origin', () => {
    for (const host of ['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn']) {
      const settings = credentialSettingsFromEnvironment(certificateEnv({ AZURE_AUTHORITY_HOST: `https://${host}/some/path` }));
      assert.ok(settings.kind === 'certificate');
      assert.deepEqual([settings.certificate.authorityHost, settings.certificate.disableInstanceDiscovery], [`https://${host}`, false], host);
    }
  });

  it('DAEMON_CREDENTIAL=certificate wins over a platform identity, in any case', () => {
    const settings = credentialSettingsFromEnvironment({ DAEMON_CREDENTIAL: 'Certificate', IDENTITY_ENDPOINT: 'http://127.0.0.1:41234/msi/token', IDENTITY_HEADER: 'h', ...certificateEnv() });
    assert.equal(settings.kind, 'certificate');
  });

  it('IMDS at the pod identity host when AZURE_POD_IDENTITY_AUTHORITY_HOST is set', () => {
    const settings = credentialSettingsFromEnvironment({ DAEMON_CREDENTIAL: 'managed-identity', AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://10.0.0.4:2579' });
    assert.ok(settings.kind === 'managed-identity');
    assert.deepEqual([settings.managedIdentity.protocol, settings.managedIdentity.endpoint, settings.managedIdentity.userAssigned], ['imds', 'http://10.0.0.4:2579/metadata/identity/oauth2/token', undefined]);
  });

  it('client ids are GUIDs in either case', () => {
    const settings = credentialSettingsFromEnvironment(certificateEnv({ AZURE_CLIENT_ID: client.toUpperCase() }));
    assert.ok(settings.kind === 'certificate' && settings.certificate.clientId === client.toUpperCase());
  });

  it('an empty password means none', () => {
    assert.equal(configurationErrorFor(certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: protectedCert.path, AZURE_CLIENT_CERTIFICATE_PASSWORD: '' })).setting, 'AZURE_CLIENT_CERTIFICATE_PASSWORD');
  });

  it("a key in its traditional form ('BEGIN RSA PRIVATE KEY') is accepted as well as PKCS#8", () => {
    const path = join(ca.dir, 'settings-pkcs1.pem');
    writeFileSync(path, createPrivateKey(plain.keyPem).export({ type: 'pkcs1', format: 'pem' }).toString() + plain.certPem);
    assert.equal(credentialSettingsFromEnvironment(certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: path })).kind, 'certificate');
    assert.match(readFileSync(path, 'utf8'), /BEGIN RSA PRIVATE KEY/);
  });

  it("an EC key in its traditional form ('BEGIN EC PRIVATE KEY') is read, then refused for its type", () => {
    const path = join(ca.dir, 'settings-sec1.pem');
    writeFileSync(path, createPrivateKey(ecKey.keyPem).export({ type: 'sec1', format: 'pem' }).toString() + ecKey.certPem);
    assert.match(configurationErrorFor(certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: path })).message, /is a key of type ec;/);
  });

  it('the identity endpoint and the pod identity host may use https as well as http', () => {
    const appService = credentialSettingsFromEnvironment({ IDENTITY_ENDPOINT: 'https://127.0.0.1:41234/msi/token', IDENTITY_HEADER: 'h' });
    assert.equal(appService.kind === 'managed-identity' && appService.managedIdentity.endpoint, 'https://127.0.0.1:41234/msi/token');
    const pod = credentialSettingsFromEnvironment({ DAEMON_CREDENTIAL: 'managed-identity', AZURE_POD_IDENTITY_AUTHORITY_HOST: 'https://10.0.0.4:2579' });
    assert.equal(pod.kind === 'managed-identity' && pod.managedIdentity.endpoint, 'https://10.0.0.4:2579/metadata/identity/oauth2/token');
  });

  it('a regional authority is a region name, kept as given', () => {
    const settings = credentialSettingsFromEnvironment(certificateEnv({ AZURE_REGIONAL_AUTHORITY_NAME: 'westeurope' }));
    assert.equal(settings.kind === 'certificate' && settings.certificate.regionalAuthority, 'westeurope');
  });
});

describe('configuration errors name the setting', () => {
  /** `says`: what the message must tell the user beyond the setting's name: what is wrong and what to set. */
  const cases: { name: string; env: () => Environment; setting: string; now?: Date; says?: RegExp }[] = [
    {
      name: 'nothing configured',
      env: () => ({}),
      setting: 'IDENTITY_ENDPOINT or AZURE_CLIENT_CERTIFICATE_PATH',
      says: /^No credential is configured\. In Azure, enable a managed identity on the Function App \(the platform sets IDENTITY_ENDPOINT and IDENTITY_HEADER\); locally, set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH/,
    },
    { name: 'IDENTITY_HEADER without IDENTITY_ENDPOINT', env: () => ({ IDENTITY_HEADER: 'h' }), setting: 'IDENTITY_ENDPOINT', says: /^IDENTITY_HEADER is set but IDENTITY_ENDPOINT is not; both come from the platform when a managed identity is enabled/ },
    { name: 'IDENTITY_ENDPOINT without IDENTITY_HEADER', env: () => ({ IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi/token' }), setting: 'IDENTITY_HEADER', says: /^IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not; both come from the platform when a managed identity is enabled/ },
    { name: 'IDENTITY_ENDPOINT not a URL', env: () => ({ IDENTITY_ENDPOINT: 'not a url', IDENTITY_HEADER: 'h' }), setting: 'IDENTITY_ENDPOINT' },
    { name: 'two user-assigned ids', env: () => ({ DAEMON_CREDENTIAL: 'managed-identity', MANAGED_IDENTITY_CLIENT_ID: client, MANAGED_IDENTITY_OBJECT_ID: client }), setting: 'MANAGED_IDENTITY_CLIENT_ID, MANAGED_IDENTITY_OBJECT_ID', says: /^Set at most one of MANAGED_IDENTITY_CLIENT_ID, MANAGED_IDENTITY_OBJECT_ID to pick a user-assigned identity/ },
    { name: 'a client id that is not a GUID', env: () => ({ DAEMON_CREDENTIAL: 'managed-identity', MANAGED_IDENTITY_CLIENT_ID: 'batch-identity' }), setting: 'MANAGED_IDENTITY_CLIENT_ID', says: /^MANAGED_IDENTITY_CLIENT_ID must be a GUID/ },
    { name: 'a resource id that is not an ARM id', env: () => ({ DAEMON_CREDENTIAL: 'managed-identity', MANAGED_IDENTITY_RESOURCE_ID: `/tenants${resourceId}` }), setting: 'MANAGED_IDENTITY_RESOURCE_ID', says: /^MANAGED_IDENTITY_RESOURCE_ID must be an ARM resource id '\/subscriptions\/…\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/<name>'/ },
    { name: 'a resource id with a path after the identity name', env: () => ({ DAEMON_CREDENTIAL: 'managed-identity', MANAGED_IDENTITY_RESOURCE_ID: `${resourceId}/extra` }), setting: 'MANAGED_IDENTITY_RESOURCE_ID' },
    { name: 'an application client id that is not a GUID', env: () => certificateEnv({ AZURE_CLIENT_ID: 'batch-app' }), setting: 'AZURE_CLIENT_ID', says: /^AZURE_CLIENT_ID must be the application \(client\) id GUID/ },
    { name: 'a regional authority that is not a region name', env: () => certificateEnv({ AZURE_REGIONAL_AUTHORITY_NAME: 'west europe' }), setting: 'AZURE_REGIONAL_AUTHORITY_NAME', says: /^AZURE_REGIONAL_AUTHORITY_NAME must be an Azure region name like 'westeurope' or 'AutoDiscoverRegion'/ },
    { name: 'an unknown DAEMON_CREDENTIAL', env: () => ({ DAEMON_CREDENTIAL: 'secret' }), setting: 'DAEMON_CREDENTIAL', says: /^DAEMON_CREDENTIAL must be 'managed-identity' or 'certificate'; got 'secret'/ },
    { name: 'DAEMON_CREDENTIAL=certificate with nothing else set asks for the tenant first', env: () => ({ DAEMON_CREDENTIAL: 'certificate' }), setting: 'AZURE_TENANT_ID' },
    { name: 'a pod identity host that is not a URL', env: () => ({ DAEMON_CREDENTIAL: 'managed-identity', AZURE_POD_IDENTITY_AUTHORITY_HOST: 'not a url' }), setting: 'AZURE_POD_IDENTITY_AUTHORITY_HOST' },
    {
      name: 'a missing tenant',
      env: () => certificateEnv({ AZURE_TENANT_ID: undefined }),
      setting: 'AZURE_TENANT_ID',
      says: /^AZURE_TENANT_ID is not set: For local development with certificate credentials set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH \(see local\.settings\.sample\.json\)\./,
    },
    { name: "the 'common' tenant", env: () => certificateEnv({ AZURE_TENANT_ID: 'common' }), setting: 'AZURE_TENANT_ID', says: /'common' is a multi-tenant alias/ },
    { name: "the 'organizations' tenant", env: () => certificateEnv({ AZURE_TENANT_ID: 'organizations' }), setting: 'AZURE_TENANT_ID' },
    { name: "the 'Consumers' tenant", env: () => certificateEnv({ AZURE_TENANT_ID: 'Consumers' }), setting: 'AZURE_TENANT_ID' },
    { name: 'a tenant alone is a certificate configuration missing its client id', env: () => ({ AZURE_TENANT_ID: tenant }), setting: 'AZURE_CLIENT_ID' },
    { name: 'a client id with text before the GUID', env: () => certificateEnv({ AZURE_CLIENT_ID: `x${client}` }), setting: 'AZURE_CLIENT_ID' },
    { name: 'a client id with text after the GUID', env: () => certificateEnv({ AZURE_CLIENT_ID: `${client}0` }), setting: 'AZURE_CLIENT_ID' },
    { name: 'a missing client id', env: () => certificateEnv({ AZURE_CLIENT_ID: undefined }), setting: 'AZURE_CLIENT_ID' },
    { name: 'a missing certificate path', env: () => certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: undefined }), setting: 'AZURE_CLIENT_CERTIFICATE_PATH' },
    { name: 'an unreadable certificate', env: () => certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: join(ca.dir, 'missing.pem') }), setting: 'AZURE_CLIENT_CERTIFICATE_PATH', says: /cannot be read \(ENOENT\)/ },
    { name: 'a private key that is not valid PEM', env: () => certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: brokenBundle('key') }), setting: 'AZURE_CLIENT_CERTIFICATE_PATH', says: /cannot be read: the private key is not valid PEM/ },
    { name: 'a certificate that is not valid PEM', env: () => certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: brokenBundle('certificate') }), setting: 'AZURE_CLIENT_CERTIFICATE_PATH', says: /The certificate in '.*' is not valid PEM/ },
    { name: 'a file without a private key', env: () => certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: ca.caCertPath }), setting: 'AZURE_CLIENT_CERTIFICATE_PATH', says: /has no PEM block with a private key/ },
    {
      name: 'an encrypted key without a password',
      env: () => certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: protectedCert.path }),
      setting: 'AZURE_CLIENT_CERTIFICATE_PASSWORD',
      says: /The private key in '.*' is encrypted but no password is set\. Set AZURE_CLIENT_CERTIFICATE_PASSWORD/,
    },
    { name: 'a wrong password', env: () => certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: protectedCert.path, AZURE_CLIENT_CERTIFICATE_PASSWORD: 'wrong' }), setting: 'AZURE_CLIENT_CERTIFICATE_PASSWORD', says: /cannot be read: the password is wrong/ },
    // The certificate's subject, on one line, says which certificate the key was paired with.
    {
      name: 'a key that does not match the certificate',
      env: () => certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: mismatchedBundle() }),
      setting: 'AZURE_CLIENT_CERTIFICATE_PATH',
      says: /The private key in '.*mismatch\.pem' does not belong to its certificate \(CN=settings-protected, O=Contoso\) \(setting/,
    },
    // The test certificates live 2 days; checked 3 days from now, the certificate has expired.
    { name: 'an expired certificate', env: () => certificateEnv(), now: new Date(Date.now() + 3 * 86_400_000), setting: 'AZURE_CLIENT_CERTIFICATE_PATH' },
    // MSAL signs assertions with RS256/PS256 only, and refuses RSA keys under 2048 bits.
    { name: 'an EC key MSAL cannot sign with', env: () => certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: ecKey.path }), setting: 'AZURE_CLIENT_CERTIFICATE_PATH', says: /is a key of type ec; client assertions are signed with RSA keys of at least 2048 bits/ },
    { name: 'an RSA-PSS key, even of 2048 bits', env: () => certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: pssKey.path }), setting: 'AZURE_CLIENT_CERTIFICATE_PATH', says: /is a key of type rsa-pss; client assertions are signed with RSA keys/ },
    { name: 'an RSA key under 2048 bits', env: () => certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: shortRsaKey.path }), setting: 'AZURE_CLIENT_CERTIFICATE_PATH', says: /is an RSA key of 1024 bits;/ },
    { name: 'an http authority', env: () => certificateEnv({ AZURE_AUTHORITY_HOST: 'http://login.microsoftonline.com' }), setting: 'AZURE_AUTHORITY_HOST' },
    { name: 'a bad send-chain flag', env: () => certificateEnv({ AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: 'yes please' }), setting: 'AZURE_CLIENT_SEND_CERTIFICATE_CHAIN' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const error = configurationErrorFor(c.env(), c.now);
      assert.equal(error.setting, c.setting);
      if (c.says) assert.match(error.message, c.says);
    });
  }

  it('a certificate has expired at its notAfter instant: accepted a millisecond before, refused at it, saying what to do', () => {
    const notAfter = new Date(new X509Certificate(plain.certPem).validTo);
    assert.equal(credentialSettingsFromEnvironment(certificateEnv(), new Date(notAfter.getTime() - 1)).kind, 'certificate');
    const error = configurationErrorFor(certificateEnv(), notAfter);
    assert.equal(error.setting, 'AZURE_CLIENT_CERTIFICATE_PATH');
    assert.equal(
      error.message,
      `The certificate in '${plain.path}' expired on ${notAfter.toISOString()}. Upload a new certificate to the app registration and point AZURE_CLIENT_CERTIFICATE_PATH at it (setting: AZURE_CLIENT_CERTIFICATE_PATH)`,
    );
  });

  it('the password never appears in the error', () => {
    try {
      credentialSettingsFromEnvironment(certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: protectedCert.path, AZURE_CLIENT_CERTIFICATE_PASSWORD: 'hunter2-wrong' }));
    } catch (error) {
      assert.ok(!String(error).includes('hunter2-wrong') && !JSON.stringify(error).includes('hunter2-wrong'));
    }
  });
});

describe('TOKEN_MAX_WAIT_MS', () => {
  it('unset means the provider default (fail fast); set, it is the wait budget in ms, from 0 to an hour', () => {
    assert.equal(tokenMaxWaitSetting({}), undefined);
    assert.equal(tokenMaxWaitSetting({ TOKEN_MAX_WAIT_MS: ' 30000 ' }), 30_000);
    assert.equal(tokenMaxWaitSetting({ TOKEN_MAX_WAIT_MS: '0' }), 0);
  });

  for (const value of ['-1', '30s', '3600001', '1.5']) {
    it(`'${value}' is a configuration_error naming TOKEN_MAX_WAIT_MS`, () => {
      assert.throws(
        () => tokenMaxWaitSetting({ TOKEN_MAX_WAIT_MS: value }),
        (error: unknown) => isTokenError(error) && error.code === 'configuration_error' && error.setting === 'TOKEN_MAX_WAIT_MS',
      );
    });
  }
});

describe('TOKEN_REQUEST_TIMEOUT_MS', () => {
  it('unset means the provider default; set, it is the deadline of one identity request in ms', () => {
    assert.equal(tokenRequestTimeoutSetting({}), undefined);
    assert.equal(tokenRequestTimeoutSetting({ TOKEN_REQUEST_TIMEOUT_MS: '2500' }), 2_500);
  });

  it('0 is a configuration_error naming TOKEN_REQUEST_TIMEOUT_MS: a request needs some time', () => {
    assert.throws(
      () => tokenRequestTimeoutSetting({ TOKEN_REQUEST_TIMEOUT_MS: '0' }),
      (error: unknown) => isTokenError(error) && error.code === 'configuration_error' && error.setting === 'TOKEN_REQUEST_TIMEOUT_MS',
    );
  });
});

describe('certificate material', () => {
  it('the checked certificate shows the SHA-1 thumbprint as the Azure portal does, its subject on one line and its expiry', () => {
    const settings = credentialSettingsFromEnvironment(certificateEnv());
    assert.ok(settings.kind === 'certificate');
    const store = settings.certificate.certificate;
    assert.ok(store instanceof CertificateStore);
    const checked = store.current(Date.now());
    assert.deepEqual(
      [checked.thumbprint, checked.subject, checked.notAfter.getTime()],
      [Buffer.from(plain.x5t, 'base64url').toString('hex').toUpperCase(), 'CN=settings-plain, O=Contoso, OU=Batch', Date.parse(new X509Certificate(plain.certPem).validTo)],
    );
  });

  it('neither the settings nor the token source built from them show the key or the password', () => {
    const settings = credentialSettingsFromEnvironment(certificateEnv({ AZURE_CLIENT_CERTIFICATE_PATH: protectedCert.path, AZURE_CLIENT_CERTIFICATE_PASSWORD: 'correct horse' }));
    const source = createTokenSource({ credential: settings });
    const keyBody = protectedCert.keyPem.split('\n')[1] ?? '<none>';
    for (const text of [inspect(settings, { showHidden: true, depth: Infinity }), inspect(source, { showHidden: true, depth: Infinity }), JSON.stringify(settings)]) {
      assert.ok(!text.includes('PRIVATE KEY') && !text.includes(keyBody), 'no key material');
      assert.ok(!text.includes('correct horse'), 'no password');
    }
  });
});

/** The plain bundle with its key or its certificate block's body replaced by text that is not base64 DER. */
function brokenBundle(part: 'key' | 'certificate'): string {
  const path = join(ca.dir, `broken-${part}.pem`);
  const broken = (block: string): string => block.replace(/(-----\n)[\s\S]+?(\n-----END)/, '$1bm90IGEga2V5IG9yIGEgY2VydGlmaWNhdGU=$2');
  writeFileSync(path, part === 'key' ? broken(plain.keyPem) + plain.certPem : plain.keyPem + broken(plain.certPem));
  return path;
}

function mismatchedBundle(): string {
  const path = join(ca.dir, 'mismatch.pem');
  writeFileSync(path, plain.keyPem + protectedCert.certPem);
  return path;
}

