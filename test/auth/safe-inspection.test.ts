/**
 * What `context.log(provider)` and JSON.stringify print: never the certificate, its password,
 * IDENTITY_HEADER or a cached token. Real providers on the identity emulator, each holding a
 * cached token, and the settings they were built from; everything is dumped the ways people
 * dump objects and scanned for the actual secret values.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { format, inspect } from 'node:util';
import { createTokenProvider, createTokenSource } from '../../src/auth/create-provider.js';
import { credentialSettingsFromEnvironment, type CredentialSettings, type Environment } from '../../src/auth/credential-settings.js';
import type { TokenSource } from '../../src/auth/token-source.js';
import type { TokenProvider } from '../../src/auth/types.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { findLeaks, pemSecrets, type Secret } from '../telemetry/support/secret-scan.js';
import { clientId, tenantId, vaultScope } from './provider-fixture.js';

/** Every way an object reaches a log line or a dump. */
function dumps(label: string, value: unknown): Array<{ label: string; text: string }> {
  return [
    { label: `${label} inspect depth Infinity`, text: inspect(value, { depth: Infinity, showHidden: false }) },
    { label: `${label} inspect default`, text: inspect(value) },
    { label: `${label} context.log (util.format)`, text: format(value) },
    { label: `${label} util.format %o (hidden properties too)`, text: format('%o', value) },
    { label: `${label} JSON`, text: JSON.stringify(value) ?? '' },
  ];
}

const noRequest = { signal: new AbortController().signal, report: () => undefined };

describe('secrets never show when a provider, its sources or its settings are printed', () => {
  let ca: TestCa;
  let certificate: ClientCertificate;
  let identity: IdentityEmulator;
  let settings: { managedIdentity: CredentialSettings; certificate: CredentialSettings };
  let providers: TokenProvider[];
  let sources: TokenSource[];
  let secrets: Secret[];

  before(async () => {
    ca = createTestCa();
    certificate = ca.makeClientCertificate('inspected', { password: `pw-${randomBytes(6).toString('hex')}` });
    identity = await startIdentityEmulator({ ca });
    identity.registerClient({ tenantId, clientId, certPem: certificate.certPem });
    const certificateEnv: Environment = {
      AZURE_TENANT_ID: tenantId,
      AZURE_CLIENT_ID: clientId,
      AZURE_CLIENT_CERTIFICATE_PATH: certificate.path,
      AZURE_CLIENT_CERTIFICATE_PASSWORD: certificate.password,
      AZURE_AUTHORITY_HOST: identity.authorityHost,
    };
    settings = {
      managedIdentity: credentialSettingsFromEnvironment({ IDENTITY_ENDPOINT: identity.managedIdentityEndpoint, IDENTITY_HEADER: identity.identityHeader }),
      certificate: credentialSettingsFromEnvironment(certificateEnv),
    };
    providers = [settings.managedIdentity, settings.certificate].map((credential) => createTokenProvider({ credential, trustedCa: ca.caCertPem }));
    for (const provider of providers) await provider.getToken(vaultScope);
    // The sources on their own, after a request each (a source keeps what one request leaves behind).
    sources = [settings.managedIdentity, settings.certificate].map((credential) => createTokenSource({ credential, trustedCa: ca.caCertPem }));
    for (const source of sources) await source.requestToken(vaultScope, noRequest);
    secrets = [
      { label: 'identity header', value: identity.identityHeader },
      { label: 'certificate password', value: certificate.password ?? '' },
      ...pemSecrets('private key', certificate.keyPem),
      ...pemSecrets('certificate', certificate.certPem),
      ...identity.issuedTokens.map((t, index) => ({ label: `issued token ${index + 1}`, value: t.token })),
    ];
  });

  after(async () => {
    for (const provider of providers ?? []) provider.close();
    await identity?.stop();
    ca?.cleanup();
  });

  it('there were secrets to leak: a token cached by each provider, three issued in all', () => {
    // Two from Entra; the managed-identity host hands its cached token out again, as a real one does.
    assert.equal(identity.issuedTokens.length, 3);
  });

  it('the providers print as a summary: identity, source, number of cached scopes', () => {
    assert.deepEqual(findLeaks(providers.flatMap((p, i) => dumps(`provider ${i + 1}`, p)), secrets), []);
    for (const provider of providers) {
      assert.deepEqual(JSON.parse(JSON.stringify(provider)), { identity: provider.identity, source: provider.source, cachedScopes: 1 });
      const printed = inspect(provider);
      assert.ok(printed.startsWith('ResilientTokenProvider {') && printed.includes(provider.identity) && printed.includes('cachedScopes: 1'), printed);
    }
  });

  it("the providers' TokenCredential adapters", () => {
    assert.deepEqual(findLeaks(providers.flatMap((p, i) => dumps(`credential ${i + 1}`, p.credential)), secrets), []);
  });

  it('the token sources (managed identity, certificate)', () => {
    assert.deepEqual(findLeaks(sources.flatMap((s) => dumps(s.kind, s)), secrets), []);
    for (const source of sources) assert.ok(inspect(source).includes(source.identity), inspect(source));
  });

  it('the settings from credentialSettingsFromEnvironment show that a secret is set, not what it is', () => {
    assert.deepEqual(findLeaks([...dumps('managed-identity settings', settings.managedIdentity), ...dumps('certificate settings', settings.certificate)], secrets), []);
    assert.match(inspect(settings.managedIdentity, { depth: Infinity }), /identityHeader: '\[hidden\]'/);
    const certificateJson = JSON.parse(JSON.stringify(settings.certificate)) as { certificate: Record<string, unknown> };
    assert.equal(certificateJson.certificate.clientId, clientId);
  });

  it('the settings still hold the secrets for the code that reads them', () => {
    assert.ok(settings.managedIdentity.kind === 'managed-identity' && settings.managedIdentity.managedIdentity.protocol === 'app-service' && settings.managedIdentity.managedIdentity.identityHeader === identity.identityHeader);
    assert.ok(settings.certificate.kind === 'certificate');
    const held = settings.certificate.certificate.certificate.current(Date.now()).credentialCertificate();
    assert.ok(held.certificate.includes(certificate.certPem.trim()));
    assert.equal(held.certificatePassword, certificate.password);
  });
});
