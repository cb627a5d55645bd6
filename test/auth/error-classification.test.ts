/**
 * Every failure is a TokenError with a stable code and every correlation id there is: body
 * `correlation_id`/`correlationId`, `trace_id`, `error_codes`, header `x-ms-request-id` and the
 * `client-request-id` we sent, all as the emulator really sent or received them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CertificateStore } from '../../src/auth/certificate-store.js';
import { createTokenProvider } from '../../src/auth/create-provider.js';
import { isTokenError, type TokenError, type TokenErrorCode } from '../../src/auth/errors.js';
import { runInInvocation } from '../../src/invocation.js';
import type { Fault, RecordedRequest } from '../../src/sandbox/identity/index.js';
import { refusedUrl } from '../../src/sandbox/ports.js';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { clientId, rejectionOf, startFixture, tenantId, vaultScope, type Fixture } from './provider-fixture.js';

let ca: TestCa;
let certificate: ClientCertificate;
let stranger: ClientCertificate;
let ecCertificate: ClientCertificate;

before(() => {
  ca = createTestCa();
  certificate = ca.makeClientCertificate('classified-app');
  stranger = ca.makeClientCertificate('not-registered');
  ecCertificate = ca.makeClientCertificate('ec-key', { key: 'ec-p256' });
});
after(() => ca.cleanup());

async function failureOf(f: Fixture, scope = vaultScope): Promise<TokenError> {
  const error = await rejectionOf(f.provider.getToken(scope));
  assert.ok(isTokenError(error), `a TokenError, got ${String(error)}`);
  return error;
}

function assertNoSecrets(error: TokenError, f: Fixture): void {
  const text = `${error.message} ${JSON.stringify(error)}`;
  for (const issued of f.identity.issuedTokens) assert.ok(!text.includes(issued.token), 'no token in the error');
  assert.ok(!text.includes(f.identity.identityHeader), 'no identity header in the error');
  assert.ok(!/PRIVATE KEY|client_assertion=/.test(text), 'no key material in the error');
}

describe('managed identity failures', () => {
  let f: Fixture;
  const lastRequest = (): RecordedRequest => f.identity.tokenRequests('mi').at(-1) as RecordedRequest;

  const responses: { name: string; fault: Fault; code: TokenErrorCode; status?: number; retryable: boolean }[] = [
    { name: 'a 500 answer', fault: { kind: 'status', status: 500 }, code: 'managed_identity_failed_response', status: 500, retryable: true },
    { name: 'a 400 answer (unknown identity)', fault: { kind: 'status', status: 400 }, code: 'managed_identity_failed_response', status: 400, retryable: false },
    { name: 'a 200 with a body that is not JSON', fault: { kind: 'bad-json' }, code: 'managed_identity_failed_response', status: 200, retryable: true },
    { name: 'a 429', fault: { kind: 'status', status: 429, retryAfter: '3' }, code: 'throttled', status: 429, retryable: true },
  ];
  for (const c of responses) {
    it(`${c.name} is ${c.code} with the request and correlation ids`, async () => {
      f = await startFixture({ kind: 'managed-identity', ca });
      try {
        f.identity.script('mi', c.fault);
        const error = await failureOf(f);
        const sent = lastRequest();
        assert.equal(error.code, c.code);
        assert.equal(error.status, c.status);
        assert.equal(error.retryable, c.retryable);
        assert.equal(error.source, 'managed-identity');
        assert.equal(error.scope, vaultScope);
        assert.equal(error.requestId, sent.requestId, 'x-ms-request-id header');
        assert.equal(error.clientRequestId, sent.headers['client-request-id'], 'the client-request-id we sent');
        if (c.fault.kind === 'status') assert.match(error.correlationId ?? '', /^[\da-f-]{36}$/, 'body correlationId');
        assertNoSecrets(error, f);
      } finally {
        await f.stop();
      }
    });
  }

  it('error bodies with correlation_id, trace_id and error_codes are read', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    try {
      const body = { error: 'invalid_request', error_description: 'Identity not found', error_codes: [50000], trace_id: 'trace-1', correlation_id: 'corr-1' };
      f.identity.script('mi', { kind: 'status', status: 400, body });
      const error = await failureOf(f);
      assert.equal(error.correlationId, 'corr-1');
      assert.equal(error.traceId, 'trace-1');
      assert.deepEqual(error.errorCodes, [50000]);
      assert.equal(error.platformError, 'invalid_request');
      assert.match(error.message, /Identity not found/);
    } finally {
      await f.stop();
    }
  });

  for (const fault of ['refused', 'reset'] as const) {
    it(`a ${fault} connection is managed_identity_unreachable_network`, async () => {
      f = await startFixture({ kind: 'managed-identity', ca });
      try {
        if (fault === 'reset') f.identity.script('mi', { kind: 'reset' });
        const provider =
          fault === 'refused'
            ? createTokenProvider({
                credential: { kind: 'managed-identity', managedIdentity: { protocol: 'app-service', endpoint: await refusedUrl('/msi/token'), identityHeader: 'x' } },
              })
            : f.provider;
        const error = (await rejectionOf(provider.getToken(vaultScope))) as TokenError;
        assert.equal(error.code, 'managed_identity_unreachable_network');
        assert.equal(error.status, undefined);
        assert.ok(error.retryable);
        assert.match(error.message, fault === 'refused' ? /ECONNREFUSED/ : /ECONNRESET/);
        assert.ok(error.clientRequestId);
        provider.close();
      } finally {
        await f.stop();
      }
    });
  }

  it('a DNS failure is managed_identity_unreachable_network within the deadline', async () => {
    const provider = createTokenProvider({
      credential: { kind: 'managed-identity', managedIdentity: { protocol: 'app-service', endpoint: 'http://identity.nonexistent.invalid/msi/token', identityHeader: 'x' } },
      requestTimeoutMs: 2_000,
    });
    const error = (await rejectionOf(provider.getToken(vaultScope))) as TokenError;
    assert.equal(error.code, 'managed_identity_unreachable_network');
    assert.match(error.message, /ENOTFOUND|EAI_AGAIN|deadline/);
    provider.close();
  });

  it('user-assigned identities are named on the wire by client id, resource id or object id', async () => {
    const ids = [
      { kind: 'client-id' as const, value: '11111111-2222-4333-8444-555555555555', param: 'client_id' },
      { kind: 'resource-id' as const, value: '/subscriptions/s/resourcegroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/batch', param: 'mi_res_id' },
      { kind: 'object-id' as const, value: '66666666-7777-4888-8999-000000000000', param: 'object_id' },
    ];
    for (const id of ids) {
      f = await startFixture({ kind: 'managed-identity', ca, userAssigned: { kind: id.kind, value: id.value } });
      try {
        await f.provider.getToken(vaultScope);
        assert.equal(lastRequest().query[id.param], id.value);
        assert.equal(lastRequest().query['resource'], 'https://vault.azure.net');
        assert.match(f.provider.identity, new RegExp(id.kind));
      } finally {
        await f.stop();
      }
    }
  });

  it('errors carry the invocation id, explicit or ambient', async () => {
    f = await startFixture({ kind: 'managed-identity', ca });
    try {
      f.identity.setPersistentFault('mi', { kind: 'status', status: 500 });
      const explicit = (await rejectionOf(f.provider.getToken(vaultScope, { invocationId: 'inv-explicit' }))) as TokenError;
      assert.equal(explicit.invocationId, 'inv-explicit');
      const ambient = (await runInInvocation({ invocationId: 'inv-ambient', functionName: 'ingestEvents' }, () => rejectionOf(f.provider.getToken(vaultScope)))) as TokenError;
      assert.equal(ambient.invocationId, 'inv-ambient');
    } finally {
      await f.stop();
    }
  });
});

describe('certificate credential failures', () => {
  let f: Fixture;
  const lastRequest = (): RecordedRequest => f.identity.tokenRequests('entra').at(-1) as RecordedRequest;

  it('an unregistered client is invalid_client_credential with AADSTS codes and every id', async () => {
    f = await startFixture({ kind: 'certificate', ca, certificate, register: false });
    try {
      const error = await failureOf(f);
      const sent = lastRequest();
      assert.equal(error.code, 'invalid_client_credential');
      assert.equal(error.status, 400);
      assert.equal(error.retryable, false);
      assert.equal(error.source, 'certificate');
      assert.deepEqual(error.errorCodes, [700016]);
      assert.equal(error.requestId, sent.requestId);
      assert.equal(error.traceId, sent.requestId, 'Entra trace_id');
      assert.ok(error.clientRequestId, 'MSAL client-request-id captured');
      assert.equal(error.clientRequestId, sent.query['client-request-id'] ?? sent.form?.['client-request-id']);
      assert.equal(error.correlationId, error.clientRequestId, 'Entra echoes the client-request-id as correlation_id');
      assert.match(error.message, /AZURE_CLIENT_ID/);
      assertNoSecrets(error, f);
    } finally {
      await f.stop();
    }
  });

  it('a certificate the app does not know is invalid_client_credential (AADSTS700027)', async () => {
    f = await startFixture({ kind: 'certificate', ca, certificate: stranger, register: false });
    try {
      f.identity.registerClient({ tenantId: '7b1c2f4e-0c1d-4f5e-9a8b-1c2d3e4f5a6b', clientId: '0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b', certPem: certificate.certPem });
      const error = await failureOf(f);
      assert.equal(error.code, 'invalid_client_credential');
      assert.equal(error.status, 401);
      assert.deepEqual(error.errorCodes, [700027]);
    } finally {
      await f.stop();
    }
  });

  const responses: { name: string; fault: Fault; code: TokenErrorCode; status?: number; retryable: boolean }[] = [
    { name: 'a 503', fault: { kind: 'status', status: 503 }, code: 'identity_platform_unavailable', status: 503, retryable: true },
    { name: 'a 429', fault: { kind: 'status', status: 429, retryAfter: '9' }, code: 'throttled', status: 429, retryable: true },
    {
      name: 'an invalid_scope answer',
      fault: { kind: 'status', status: 400, body: { error: 'invalid_scope', error_description: 'AADSTS70011: The provided value for scope is not valid.', error_codes: [70011], trace_id: 't', correlation_id: 'c' } },
      code: 'invalid_scope',
      status: 400,
      retryable: false,
    },
    {
      name: 'another 400',
      fault: { kind: 'status', status: 400, body: { error: 'invalid_request', error_description: 'AADSTS90014: missing field', error_codes: [90014], trace_id: 't', correlation_id: 'c' } },
      code: 'token_request_rejected',
      status: 400,
      retryable: false,
    },
    { name: 'a 200 that is not JSON', fault: { kind: 'bad-json' }, code: 'identity_platform_unavailable', status: 200, retryable: true },
    { name: 'a reset connection', fault: { kind: 'reset' }, code: 'identity_platform_unreachable', retryable: true },
  ];
  for (const c of responses) {
    it(`${c.name} is ${c.code}`, async () => {
      f = await startFixture({ kind: 'certificate', ca, certificate });
      try {
        f.identity.script('entra', c.fault);
        const error = await failureOf(f);
        assert.equal(error.code, c.code);
        assert.equal(error.status, c.status);
        assert.equal(error.retryable, c.retryable);
        assert.ok(error.clientRequestId);
        if (c.status !== undefined) assert.equal(error.requestId, lastRequest().requestId);
        if (c.code === 'throttled') assert.equal(error.retryAfterMs, 9_000);
        assertNoSecrets(error, f);
      } finally {
        await f.stop();
      }
    });
  }

  it('a key MSAL cannot sign with fails locally: invalid_client_credential, no status, not retryable, no token request', async () => {
    f = await startFixture({ kind: 'certificate', ca, certificate });
    const ecSigner = { credentialCertificate: () => ({ certificate: ecCertificate.keyPem + ecCertificate.certPem }) };
    const provider = createTokenProvider({
      credential: {
        kind: 'certificate',
        certificate: {
          tenantId,
          clientId,
          // Start-up refuses this key; a stand-in for the store hands it over to reach MSAL's signing.
          certificate: { current: () => ecSigner, reloadNow: () => ecSigner },
          sendCertificateChain: false,
          authorityHost: f.identity.authorityHost,
          disableInstanceDiscovery: true,
        },
      },
      trustedCa: ca.caCertPem,
    });
    try {
      const error = (await rejectionOf(provider.getToken(vaultScope))) as TokenError;
      // The discovery GET answered 200 before MSAL failed to sign: that 200 is not the token endpoint's answer.
      assert.ok(f.identity.requests.some((request) => request.kind === 'metadata' && request.status === 200));
      assert.equal(f.identity.tokenRequests('entra').length, 0, 'no token request was sent');
      assert.equal(error.code, 'invalid_client_credential');
      assert.equal(error.status, undefined);
      assert.equal(error.retryable, false);
      assert.match(error.message, /AZURE_CLIENT_CERTIFICATE_PATH/);
      assertNoSecrets(error, f);
    } finally {
      provider.close();
      await f.stop();
    }
  });

  it('an authority nobody listens on is identity_platform_unreachable', async () => {
    const provider = createTokenProvider({
      credential: {
        kind: 'certificate',
        certificate: {
          tenantId: 't',
          clientId: 'c',
          certificate: CertificateStore.open(certificate.path, undefined, new Date()),
          sendCertificateChain: false,
          authorityHost: await refusedUrl('', 'https'),
          disableInstanceDiscovery: true,
        },
      },
    });
    const error = (await rejectionOf(provider.getToken(vaultScope))) as TokenError;
    assert.equal(error.code, 'identity_platform_unreachable');
    assert.ok(error.retryable);
    provider.close();
  });

  it('subject-name/issuer auth sends the chain (x5c) and gets a token', async () => {
    f = await startFixture({ kind: 'certificate', ca, certificate, sendCertificateChain: true });
    try {
      const token = await f.provider.getToken(vaultScope);
      assert.ok(f.identity.wasIssued(token.token));
      assert.ok((lastRequest().assertion?.x5cCount ?? 0) >= 1);
    } finally {
      await f.stop();
    }
  });
});

describe('scope validation', () => {
  it('a scope without /.default is invalid_scope and sends nothing', async () => {
    const f = await startFixture({ kind: 'managed-identity', ca });
    try {
      for (const scope of ['https://vault.azure.net', 'https://vault.azure.net/secrets.read', '', 'a/.default b/.default']) {
        const error = (await rejectionOf(f.provider.getToken(scope))) as TokenError;
        assert.equal(error.code, 'invalid_scope', scope);
      }
      assert.equal(f.identity.tokenRequests('mi').length, 0);
      await assert.rejects(f.provider.credential.getToken(['https://a/.default', 'https://b/.default']), { code: 'invalid_scope' });
    } finally {
      await f.stop();
    }
  });
});
