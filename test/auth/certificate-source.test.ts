/**
 * The certificate source against the identity emulator with the real ClientCertificateCredential:
 * what it reports of each exchange, which identity it names, a 200 it cannot use, the connection
 * it keeps to the authority, and when it loads @azure/identity.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { TokenError } from '../../src/auth/errors.js';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { runNodeScript } from '../support/child-process.js';
import { waitUntil } from '../support/scheduled-clock.js';
import { clientId, rejectionOf, startFixture, tenantId, vaultScope, type Fixture } from './provider-fixture.js';

let ca: TestCa;
let certificate: ClientCertificate;

before(() => {
  ca = createTestCa();
  certificate = ca.makeClientCertificate('source');
});
after(() => ca.cleanup());

/** The client-request-id MSAL put on a recorded token request (query string or form). */
function sentClientRequestId(f: Fixture, index: number): string | undefined {
  const request = f.identity.tokenRequests('entra')[index];
  return request?.query['client-request-id'] ?? request?.form?.['client-request-id'];
}

describe('CertificateSource', () => {
  it('names its identity by tenant, app and authority host: the cache and gate key every event carries', async () => {
    const f = await startFixture({ kind: 'certificate', ca, certificate });
    try {
      await f.provider.getToken(vaultScope);
      const expected = `certificate:${tenantId}/${clientId}@${new URL(f.identity.authorityHost).host}`;
      assert.deepEqual([...new Set(f.events.map((e) => e.identity))], [expected]);
    } finally {
      await f.stop();
    }
  });

  it('reports each exchange of an acquisition, discovery then token, with the status, Entra’s request id and the client-request-id sent', async () => {
    const f = await startFixture({ kind: 'certificate', ca, certificate });
    try {
      await f.provider.getToken(vaultScope);
      const exchanges = f.eventsOf('identity-request');
      assert.deepEqual(
        exchanges.map((e) => [e.name, e.status, e.success, e.target]),
        [
          [`GET /${tenantId}/v2.0/.well-known/openid-configuration`, 200, true, f.identity.authorityHost],
          [`POST /${tenantId}/oauth2/v2.0/token`, 200, true, f.identity.authorityHost],
        ],
      );
      const token = exchanges[1];
      assert.equal(token?.requestId, f.identity.tokenRequests('entra')[0]?.requestId);
      assert.ok(token?.clientRequestId);
      assert.equal(token.clientRequestId, sentClientRequestId(f, 0));
    } finally {
      await f.stop();
    }
  });

  it('a 200 that carries no expiry is identity_platform_unavailable: a token whose lifetime is unknown is never served', async () => {
    const f = await startFixture({ kind: 'certificate', ca, certificate });
    try {
      // MSAL accepts this answer (it takes a missing expires_in as 0); the provider must not.
      f.identity.script('entra', { kind: 'status', status: 200, body: { token_type: 'Bearer', access_token: 'opaque-token' } });
      const error = (await rejectionOf(f.provider.getToken(vaultScope))) as TokenError;
      assert.equal(error.code, 'identity_platform_unavailable');
      assert.equal(error.message, 'The token endpoint answered 200 but the body has neither expires_in nor expires_on.');
      assert.deepEqual([error.source, error.scope, error.status, error.retryable], ['certificate', vaultScope, 200, true]);
      assert.equal(error.requestId, f.identity.tokenRequests('entra')[0]?.requestId);
      assert.equal(error.clientRequestId, sentClientRequestId(f, 0));
    } finally {
      await f.stop();
    }
  });

  it('a token request that hangs past the deadline fails naming the client-request-id it was sent with, announced as it was sent', async () => {
    const f = await startFixture({ kind: 'certificate', ca, certificate, requestTimeoutMs: 3_000 });
    try {
      f.identity.script('entra', { kind: 'hang' });
      const pending = rejectionOf(f.provider.getToken(vaultScope));
      await waitUntil(() => f.identity.tokenRequests('entra').length === 1, 'the token request to arrive');
      // Announced before any answer: what the deadline error names when none ever comes, whichever
      // of the source's own error and the provider's deadline error settles first.
      const held = sentClientRequestId(f, 0);
      assert.ok(held);
      assert.ok(f.announced.includes(held), `announced ${JSON.stringify(f.announced)}, sent ${held}`);
      await f.clock.advance(3_000);
      const error = (await pending) as TokenError;
      assert.equal(error.code, 'identity_platform_unreachable');
      assert.match(error.message, /deadline/);
      assert.ok(error.clientRequestId);
      assert.equal(error.clientRequestId, sentClientRequestId(f, 0));
    } finally {
      await f.stop();
    }
  });

  it('prints as CertificateSource with its identity, never its key', async () => {
    const f = await startFixture({ kind: 'certificate', ca, certificate });
    try {
      const { createTokenSource } = await import('../../src/auth/create-provider.js');
      const source = createTokenSource({ credential: f.credential });
      assert.equal(
        inspect(source, { breakLength: Infinity }),
        `CertificateSource { identity: '${source.identity}', authorityHost: '${f.identity.authorityHost}', sendCertificateChain: false }`,
      );
    } finally {
      await f.stop();
    }
  });

  it('loads @azure/identity when a certificate source is built (start-up), not when its module is imported', async () => {
    const probe = fileURLToPath(new URL('./sdk-load-probe.js', import.meta.url));
    const loaded = async (step: string): Promise<boolean> => {
      const result = await runNodeScript(probe, { args: [step], timeoutMs: 30_000 });
      assert.equal(result.code, 0, result.stderr);
      return (JSON.parse(result.stdout) as { identityLoaded: boolean }).identityLoaded;
    };
    assert.equal(await loaded('import'), false, 'importing the module loads nothing');
    assert.equal(await loaded('construct'), true, 'building the source starts the load, before any request');
  });
});
