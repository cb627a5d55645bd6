/**
 * End to end in real processes: the module-scope provider built from the environment, for each
 * credential kind, against the emulator over real sockets (HTTPS trusted via NODE_EXTRA_CA_CERTS),
 * and the start-up error when nothing is configured.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import { runNodeScript } from '../support/child-process.js';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { clientId, tenantId } from './provider-fixture.js';

const probe = fileURLToPath(new URL('./runtime-probe.js', import.meta.url));
const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

interface ProbeOutput {
  sameInstance: boolean;
  source: string;
  identity: string;
  digests: string[];
  againFromCache: boolean;
  againDigest: string;
  laterDigest?: string;
  everyPollFromCache: boolean;
  refreshedBeforeExpiry: boolean;
}

let ca: TestCa;
let certificate: ClientCertificate;
let identity: IdentityEmulator;

before(async () => {
  ca = createTestCa();
  certificate = ca.makeClientCertificate('runtime-app', { password: 'p@ss' });
  identity = await startIdentityEmulator({ ca });
  identity.registerClient({ tenantId, clientId, certPem: certificate.certPem });
});
after(async () => {
  await identity.stop();
  ca.cleanup();
});

async function runProbe(env: Record<string, string>): Promise<ProbeOutput> {
  const result = await runNodeScript(probe, { env, timeoutMs: 30_000 });
  assert.equal(result.code, 0, result.stderr);
  for (const issued of identity.issuedTokens) assert.ok(!result.stdout.includes(issued.token) && !result.stderr.includes(issued.token), 'no token in output');
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as ProbeOutput;
}

describe('getTokenProvider() in a real process', () => {
  it('managed identity from IDENTITY_ENDPOINT/IDENTITY_HEADER: one instance, one request for 26 calls', async () => {
    identity.reset();
    const out = await runProbe({ IDENTITY_ENDPOINT: identity.managedIdentityEndpoint, IDENTITY_HEADER: identity.identityHeader });
    assert.equal(out.sameInstance, true);
    assert.equal(out.source, 'managed-identity');
    assert.equal(out.digests.length, 1);
    assert.ok(identity.issuedTokens.some((t) => digest(t.token) === out.digests[0]));
    assert.equal(out.againFromCache, true);
    assert.equal(identity.tokenRequests('mi').length, 1);
  });

  it('certificate credentials from AZURE_* settings (encrypted key): one token request for 26 calls', async () => {
    identity.reset();
    const out = await runProbe({
      AZURE_TENANT_ID: tenantId,
      AZURE_CLIENT_ID: clientId,
      AZURE_CLIENT_CERTIFICATE_PATH: certificate.path,
      AZURE_CLIENT_CERTIFICATE_PASSWORD: 'p@ss',
      AZURE_AUTHORITY_HOST: identity.authorityHost,
      NODE_EXTRA_CA_CERTS: ca.caCertPath,
    });
    assert.equal(out.source, 'certificate');
    assert.equal(out.digests.length, 1);
    assert.ok(identity.issuedTokens.some((t) => digest(t.token) === out.digests[0]));
    assert.equal(identity.tokenRequests('entra').length, 1);
  });

  it('real time, short lifetime: the token is refreshed in the background before it expires', async () => {
    identity.reset();
    identity.setDefaultLifetime(3);
    // A host that renews its cached token 2 s before expiry, so the half-life refresh gets a new one.
    identity.configureServerCache({ renewBeforeSeconds: 2 });
    const out = await runProbe({ IDENTITY_ENDPOINT: identity.managedIdentityEndpoint, IDENTITY_HEADER: identity.identityHeader, PROBE_POLL_FOR_REFRESH_MS: '2500' });
    assert.equal(out.refreshedBeforeExpiry, true, 'a new token arrived before the first expired');
    assert.equal(identity.tokenRequests('mi').length, 2, 'one acquisition, one background refresh at half-life');
    assert.notEqual(out.laterDigest, out.againDigest);
    assert.equal(out.everyPollFromCache, true, 'no caller waited for the refresh');
  });

  it('nothing configured: the process fails at start-up with an error naming what to set', async () => {
    const result = await runNodeScript(probe, { env: {}, timeoutMs: 30_000 });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^configuration_error: .*IDENTITY_ENDPOINT.*AZURE_CLIENT_CERTIFICATE_PATH/m);
  });
});
