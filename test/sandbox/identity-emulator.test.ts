/**
 * Self-tests of the identity emulator. The real @azure/identity credentials run in child
 * processes (the test CA is trusted only through NODE_EXTRA_CA_CERTS at start-up, and
 * managed-identity state is per process); faults and wire details are checked with raw requests.
 */
import assert from 'node:assert/strict';
import { constants, createHash, sign } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { ClientCertificate, TestCa } from '../../src/sandbox/ca.js';
import { createTestCa } from '../../src/sandbox/ca.js';
import { runNodeScript } from '../support/child-process.js';
import { rawRequest } from '../support/http-request.js';
import type { RawResponse } from '../support/http-request.js';
import { refusedUrl, startIdentityEmulator } from '../../src/sandbox/identity/index.js';
import type { IdentityEmulator } from '../../src/sandbox/identity/index.js';
import type { ProbeResult, ProbeStep } from '../support/sdk-probe.js';

const PROBE = fileURLToPath(new URL('../support/sdk-probe.js', import.meta.url));
const TENANT = 'tenant-1';
const VAULT_SCOPE = 'https://vault.azure.net/.default';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Json = Record<string, unknown>;

function json(response: RawResponse): Json {
  return JSON.parse(response.text) as Json;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function probe(steps: ProbeStep[], env: Record<string, string>): Promise<ProbeResult[][]> {
  const run = await runNodeScript(PROBE, { args: [JSON.stringify(steps)], env });
  assert.equal(run.code, 0, `probe failed: ${run.stderr.slice(0, 2000)}`);
  return JSON.parse(run.stdout) as ProbeResult[][];
}

function issuedBy(emulator: IdentityEmulator, result: ProbeResult | undefined): boolean {
  assert.ok(result?.ok, `expected a token, got ${JSON.stringify(result)}`);
  return emulator.issuedTokens.some((issued) => sha256(issued.token) === result.tokenSha256);
}

/** An RFC 7523 client assertion signed here, to probe the verifier beyond what MSAL sends. */
function signAssertion(certificate: ClientCertificate, claims: Json, alg: 'RS256' | 'PS256' = 'RS256'): string {
  const header = alg === 'RS256' ? { alg, typ: 'JWT', x5t: certificate.x5t } : { alg, typ: 'JWT', 'x5t#S256': certificate.x5tS256 };
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(claims)}`;
  const key =
    alg === 'PS256'
      ? { key: certificate.keyPem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : { key: certificate.keyPem };
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`;
}

void describe('identity emulator', () => {
  let ca: TestCa;
  let emulator: IdentityEmulator;
  let virtualNow = Date.now();
  let app: ClientCertificate;
  let stranger: ClientCertificate;

  before(async () => {
    ca = createTestCa();
    emulator = await startIdentityEmulator({ ca, now: () => virtualNow });
    app = ca.makeClientCertificate('app');
    stranger = ca.makeClientCertificate('stranger');
    emulator.registerClient({ tenantId: TENANT, clientId: 'app-client', certPem: app.certPem });
  });

  after(async () => {
    await emulator.stop();
    ca.cleanup();
  });

  function resetWithRealTime(): void {
    emulator.reset();
    virtualNow = Date.now();
  }

  function tokenEndpoint(tenant = TENANT): string {
    return `${emulator.authorityHost}/${tenant}/oauth2/v2.0/token`;
  }

  function postToken(form: Record<string, string>, headers: Record<string, string> = {}): Promise<RawResponse> {
    return rawRequest(tokenEndpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
      ca: ca.caCertPem,
    });
  }

  function clientCredentialsForm(assertion: string, scope = VAULT_SCOPE): Record<string, string> {
    return {
      grant_type: 'client_credentials',
      client_id: 'app-client',
      scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    };
  }

  function validClaims(): Json {
    const nowSeconds = Math.floor(virtualNow / 1000);
    return { aud: tokenEndpoint(), iss: 'app-client', sub: 'app-client', nbf: nowSeconds, exp: nowSeconds + 600, jti: 'test' };
  }

  function miGet(query: string, headers: Record<string, string> = { 'x-identity-header': emulator.identityHeader }): Promise<RawResponse> {
    return rawRequest(`${emulator.managedIdentityEndpoint}?${query}`, { headers });
  }

  const MI_QUERY = 'api-version=2019-08-01&resource=https://vault.azure.net';

  void describe('with the real @azure/identity ClientCertificateCredential', () => {
    void it('issues tokens to a registered certificate, to every credential instance, verified for real', async () => {
      resetWithRealTime();
      const [results] = await probe(
        [{ kind: 'certificate', authorityHost: emulator.authorityHost, tenantId: TENANT, clientId: 'app-client', certificatePath: app.path, scope: VAULT_SCOPE, instances: 2, calls: 2 }],
        { NODE_EXTRA_CA_CERTS: ca.caCertPath },
      );
      assert.equal(results?.length, 4);
      for (const result of results ?? []) assert.ok(issuedBy(emulator, result));
      // MSAL fetches the discovery document once per credential instance and caches tokens per instance.
      assert.equal(emulator.requests.filter((request) => request.kind === 'metadata').length, 2);
      const tokenRequests = emulator.tokenRequests('entra');
      assert.equal(tokenRequests.length, 2);
      for (const request of tokenRequests) {
        assert.deepEqual(request.assertion, { alg: 'PS256', thumbprintHeader: 'x5t#S256', thumbprint: app.x5tS256, x5cCount: 0 });
        assert.equal(request.form?.client_assertion, '<redacted>');
        assert.equal(request.form?.scope, VAULT_SCOPE);
        assert.match(request.query['client-request-id'] ?? '', UUID);
        assert.equal(request.status, 200);
      }
    });

    void it('answers invalid_client (401, AADSTS700027) to a certificate the app does not have', async () => {
      resetWithRealTime();
      const [results] = await probe(
        [{ kind: 'certificate', authorityHost: emulator.authorityHost, tenantId: TENANT, clientId: 'app-client', certificatePath: stranger.path, scope: VAULT_SCOPE }],
        { NODE_EXTRA_CA_CERTS: ca.caCertPath },
      );
      const result = results?.[0];
      assert.ok(result !== undefined && !result.ok);
      // @azure/identity 4.13 rewraps MSAL's ServerError: only the message keeps the service's answer.
      assert.equal(result.name, 'AuthenticationRequiredError');
      assert.match(result.message, /^invalid_client: .*AADSTS700027/);
      assert.equal(emulator.issuedTokens.filter((issued) => issued.target === 'entra' && issued.issuedAt >= virtualNow).length, 0);
    });

    void it('holds old and new certificates side by side during a rotation; a retired one gets 401 invalid_client AADSTS700027', async () => {
      resetWithRealTime();
      const [oldCert, newCert] = [ca.makeClientCertificate('rotating-old'), ca.makeClientCertificate('rotating-new')];
      for (const certificate of [oldCert, newCert]) emulator.registerClient({ tenantId: TENANT, clientId: 'rotating-client', certPem: certificate.certPem });
      const step = (certificate: ClientCertificate): ProbeStep =>
        ({ kind: 'certificate', authorityHost: emulator.authorityHost, tenantId: TENANT, clientId: 'rotating-client', certificatePath: certificate.path, scope: VAULT_SCOPE });
      const env = { NODE_EXTRA_CA_CERTS: ca.caCertPath };
      const overlap = await probe([step(oldCert), step(newCert)], env);
      for (const [result] of overlap) assert.ok(issuedBy(emulator, result), 'both certificates work while both are registered');

      assert.equal(emulator.unregisterCertificate({ tenantId: TENANT, clientId: 'rotating-client', certPem: oldCert.certPem }), true);
      assert.equal(emulator.unregisterCertificate({ tenantId: TENANT, clientId: 'rotating-client', certPem: oldCert.certPem }), false, 'already gone');
      const [retired, current] = (await probe([step(oldCert), step(newCert)], env)).map(([result]) => result);
      assert.ok(retired !== undefined && !retired.ok);
      assert.match(retired.message, /^invalid_client: .*AADSTS700027: .*Trace ID: [\da-f-]{36} Correlation ID: [\da-f-]{36}/);
      assert.ok(issuedBy(emulator, current), 'the new certificate still works');
      const [refused, accepted] = emulator.tokenRequests('entra').slice(-2);
      assert.equal(refused?.status, 401);
      assert.equal(refused?.assertion?.thumbprint, oldCert.x5tS256);
      assert.equal(accepted?.assertion?.thumbprint, newCert.x5tS256);

      // The body, as Entra sends it: trace_id is the x-ms-request-id, correlation_id echoes client-request-id.
      const nowSeconds = Math.floor(virtualNow / 1000);
      const claims = { aud: tokenEndpoint(), iss: 'rotating-client', sub: 'rotating-client', nbf: nowSeconds, exp: nowSeconds + 600, jti: 'rotated' };
      const response = await postToken({ ...clientCredentialsForm(signAssertion(oldCert, claims)), client_id: 'rotating-client' }, { 'client-request-id': 'crid-rotated' });
      const body = json(response);
      assert.equal(response.status, 401);
      assert.equal(body.error, 'invalid_client');
      assert.deepEqual(body.error_codes, [700027]);
      assert.equal(body.trace_id, response.headers['x-ms-request-id']);
      assert.equal(body.correlation_id, 'crid-rotated');
    });

    void it('accepts a rolled certificate with the registered subject and issuer when the chain is sent (SNI)', async () => {
      resetWithRealTime();
      const registered = ca.makeClientCertificate('sni-app');
      emulator.registerClient({ tenantId: TENANT, clientId: 'sni-client', certPem: registered.certPem, subjectNameIssuer: true });
      const rolled = ca.makeClientCertificate('sni-app');
      const step = { kind: 'certificate', authorityHost: emulator.authorityHost, tenantId: TENANT, clientId: 'sni-client', certificatePath: rolled.path, scope: VAULT_SCOPE } as const;
      const [withChain, withoutChain] = await probe([{ ...step, sendCertificateChain: true }, step], { NODE_EXTRA_CA_CERTS: ca.caCertPath });
      assert.ok(issuedBy(emulator, withChain?.[0]));
      const refused = withoutChain?.[0];
      assert.ok(refused !== undefined && !refused.ok);
      assert.match(refused.message, /^invalid_client: .*AADSTS700027/);
      const [sent, notSent] = emulator.tokenRequests('entra');
      assert.equal(sent?.assertion?.x5cCount, 1);
      assert.equal(notSent?.assertion?.x5cCount, 0);
    });
  });

  void describe('with the real @azure/identity ManagedIdentityCredential', () => {
    void it('gets a system-assigned token from the App Service endpoint named by IDENTITY_ENDPOINT', async () => {
      resetWithRealTime();
      const [results] = await probe([{ kind: 'managed-identity', scope: VAULT_SCOPE }], {
        IDENTITY_ENDPOINT: emulator.managedIdentityEndpoint,
        IDENTITY_HEADER: emulator.identityHeader,
      });
      assert.ok(issuedBy(emulator, results?.[0]));
      const [request] = emulator.tokenRequests('mi');
      assert.equal(request?.protocol, 'app-service');
      assert.deepEqual(request?.query, { 'api-version': '2019-08-01', resource: 'https://vault.azure.net' });
      assert.equal(request?.headers['x-identity-header'], '<valid>');
    });

    void it('fails when IDENTITY_HEADER is wrong, and the log never holds the header value', async () => {
      resetWithRealTime();
      const [results] = await probe([{ kind: 'managed-identity', scope: VAULT_SCOPE }], {
        IDENTITY_ENDPOINT: emulator.managedIdentityEndpoint,
        IDENTITY_HEADER: 'not-the-header',
      });
      assert.equal(results?.[0]?.ok, false);
      const [request] = emulator.tokenRequests('mi');
      assert.equal(request?.status, 401);
      assert.equal(request?.headers['x-identity-header'], '<invalid>');
      assert.ok(!JSON.stringify(emulator.requests).includes(emulator.identityHeader));
    });

    void it('gets a user-assigned token from IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST)', async () => {
      resetWithRealTime();
      const [results] = await probe([{ kind: 'managed-identity', clientId: 'user-assigned-1', scope: VAULT_SCOPE }], {
        AZURE_POD_IDENTITY_AUTHORITY_HOST: emulator.imdsAuthorityHost,
      });
      assert.ok(issuedBy(emulator, results?.[0]));
      const [request] = emulator.tokenRequests('mi');
      assert.equal(request?.protocol, 'imds');
      assert.equal(request?.headers.metadata, 'true');
      assert.equal(request?.query.client_id, 'user-assigned-1');
      assert.deepEqual(emulator.issuedTokens.at(-1)?.identity, { kind: 'client_id', id: 'user-assigned-1' });
    });
  });

  void describe('App Service managed-identity protocol', () => {
    void it('answers like App Service: expires_on as epoch-seconds string, on the emulator clock', async () => {
      resetWithRealTime();
      virtualNow = Date.UTC(2030, 0, 1);
      const response = await miGet(MI_QUERY, { 'x-identity-header': emulator.identityHeader, 'client-request-id': 'crid-1' });
      assert.equal(response.status, 200);
      const body = json(response);
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'client_id', 'expires_on', 'resource', 'token_type']);
      assert.equal(body.expires_on, String(Date.UTC(2030, 0, 1) / 1000 + 3600));
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.client_id, emulator.systemAssignedClientId);
      assert.ok(emulator.wasIssued(String(body.access_token)));
      assert.match(String(response.headers['x-ms-request-id']), UUID);
      assert.equal(response.headers['client-request-id'], 'crid-1');
    });

    void it('sends expires_in and refresh_in only when scripted, and lifetimes follow setDefaultLifetime', async () => {
      resetWithRealTime();
      emulator.setDefaultLifetime(120, { refreshInSeconds: 60 });
      emulator.script('mi', { kind: 'success', lifetimeSeconds: 600, includeExpiresIn: true });
      const scripted = json(await miGet(MI_QUERY));
      assert.equal(scripted.expires_in, 600);
      assert.equal(scripted.refresh_in, 60);
      emulator.configureServerCache({ enabled: false });
      const byDefault = json(await miGet(MI_QUERY));
      assert.equal(byDefault.expires_in, undefined);
      assert.equal(byDefault.expires_on, String(Math.floor(virtualNow / 1000) + 120));
    });

    void it('rejects a missing (400) or wrong (401) X-IDENTITY-HEADER with the App Service error shape', async () => {
      resetWithRealTime();
      const missing = await miGet(MI_QUERY, {});
      const wrong = await miGet(MI_QUERY, { 'x-identity-header': 'wrong' });
      assert.equal(missing.status, 400);
      assert.equal(wrong.status, 401);
      const body = json(wrong);
      assert.equal(body.statusCode, 401);
      assert.equal(typeof body.message, 'string');
      assert.match(String(body.correlationId), UUID);
      assert.equal(emulator.issuedTokens.filter((issued) => issued.issuedAt === virtualNow).length, 0);
    });

    void it('names user-assigned identities by client_id, mi_res_id or object_id, one at a time', async () => {
      resetWithRealTime();
      const byResource = json(await miGet(`${MI_QUERY}&mi_res_id=/subscriptions/s/rg/r/id-1`));
      assert.match(String(byResource.client_id), UUID);
      assert.deepEqual(emulator.issuedTokens.at(-1)?.identity, { kind: 'mi_res_id', id: '/subscriptions/s/rg/r/id-1' });
      assert.equal((await miGet(`${MI_QUERY}&client_id=a&object_id=b`)).status, 400);
    });
  });

  void describe('IMDS protocol', () => {
    void it('hands out its cached token again, with the same expires_on and a countdown expires_in, on both protocols', async () => {
      resetWithRealTime();
      const url = `${emulator.imdsEndpoint}?api-version=2018-02-01&resource=https://vault.azure.net`;
      const first = json(await rawRequest(url, { headers: { metadata: 'true' } }));
      virtualNow += 2_700;
      const again = json(await rawRequest(url, { headers: { metadata: 'true' } }));
      emulator.setDefaultLifetime(3_600, { includeExpiresIn: true });
      const viaAppService = json(await miGet(MI_QUERY));
      assert.equal(again.access_token, first.access_token);
      assert.equal(viaAppService.access_token, first.access_token, 'one host-side cache behind both doors');
      assert.equal(again.expires_on, first.expires_on);
      const countdown = Math.floor((Number(first.expires_on) * 1000 - virtualNow) / 1000);
      assert.equal(again.expires_in, String(countdown));
      assert.ok(countdown < 3_600 - 1);
      assert.equal(emulator.issuedTokens.filter((t) => t.token === first.access_token).length, 1);
      // Past its expiry (or its renewal point) the host mints a new one.
      virtualNow = Number(first.expires_on) * 1000;
      const renewed = json(await rawRequest(url, { headers: { metadata: 'true' } }));
      assert.notEqual(renewed.access_token, first.access_token);
      emulator.configureServerCache({ renewBeforeSeconds: 3_600 });
      const fresh = json(await rawRequest(url, { headers: { metadata: 'true' } }));
      assert.notEqual(fresh.access_token, renewed.access_token, 'renewBeforeSeconds >= lifetime: a token per request');
    });

    void it('requires the Metadata header and answers with string lifetimes', async () => {
      resetWithRealTime();
      const url = `${emulator.imdsEndpoint}?api-version=2018-02-01&resource=https://vault.azure.net`;
      const refused = await rawRequest(url);
      assert.equal(refused.status, 400);
      assert.equal(json(refused).error, 'invalid_request');
      const body = json(await rawRequest(url, { headers: { metadata: 'true' } }));
      assert.equal(body.expires_in, '3600');
      assert.equal(body.expires_on, String(Math.floor(virtualNow / 1000) + 3600));
      assert.ok(emulator.wasIssued(String(body.access_token)));
    });
  });

  void describe('Entra ID v2 endpoints', () => {
    void it('publishes discovery metadata that points back at the emulator', async () => {
      const response = await rawRequest(`${emulator.authorityHost}/${TENANT}/v2.0/.well-known/openid-configuration`, { ca: ca.caCertPem });
      const body = json(response);
      assert.equal(body.token_endpoint, tokenEndpoint());
      assert.equal(body.issuer, `${emulator.authorityHost}/${TENANT}/v2.0`);
      for (const field of ['authorization_endpoint', 'jwks_uri', 'end_session_endpoint']) {
        assert.ok(String(body[field]).startsWith(`${emulator.authorityHost}/${TENANT}/`), field);
      }
    });

    void it('accepts an RS256 assertion with x5t and answers expires_in, ext_expires_in and a scripted refresh_in', async () => {
      resetWithRealTime();
      emulator.script('entra', { kind: 'success', lifetimeSeconds: 900, refreshInSeconds: 450 });
      const response = await postToken(clientCredentialsForm(signAssertion(app, validClaims())));
      assert.equal(response.status, 200);
      const body = json(response);
      assert.deepEqual({ ...body, access_token: typeof body.access_token }, {
        token_type: 'Bearer',
        expires_in: 900,
        ext_expires_in: 900,
        refresh_in: 450,
        access_token: 'string',
      });
      const issued = emulator.issuedTokens.at(-1);
      assert.equal(issued?.token, body.access_token);
      assert.equal(issued?.expiresAt, virtualNow + 900_000);
      assert.deepEqual(issued?.identity, { kind: 'app', id: 'app-client', tenantId: TENANT });
    });

    void it('verifies PS256 assertions and rejects a bad signature, a wrong audience and an expired assertion', async () => {
      resetWithRealTime();
      assert.equal((await postToken(clientCredentialsForm(signAssertion(app, validClaims(), 'PS256')))).status, 200);
      const forged = signAssertion(app, validClaims()).replace(/\.[^.]+$/, `.${Buffer.from('forged').toString('base64url')}`);
      const wrongAudience = signAssertion(app, { ...validClaims(), aud: 'https://elsewhere/token' });
      const assertion = signAssertion(app, validClaims());
      virtualNow += 601_000;
      const expired = await postToken(clientCredentialsForm(assertion));
      virtualNow -= 601_000;
      for (const response of [await postToken(clientCredentialsForm(forged)), await postToken(clientCredentialsForm(wrongAudience))]) {
        assert.equal(response.status, 401);
        assert.deepEqual(json(response).error_codes, [700027]);
      }
      assert.equal(expired.status, 401);
      assert.equal(json(expired).error, 'invalid_client');
    });

    void it('answers an unknown client with unauthorized_client AADSTS700016 and a bad scope with invalid_scope AADSTS70011', async () => {
      resetWithRealTime();
      const unknown = await postToken({ ...clientCredentialsForm(signAssertion(app, validClaims())), client_id: 'nobody' });
      assert.equal(unknown.status, 400);
      assert.equal(json(unknown).error, 'unauthorized_client');
      assert.match(String(json(unknown).error_description), /^AADSTS700016: /);
      const badScope = await postToken(clientCredentialsForm(signAssertion(app, validClaims()), 'https://vault.azure.net/secrets.read'), {
        'client-request-id': 'crid-2',
      });
      const body = json(badScope);
      assert.equal(badScope.status, 400);
      assert.equal(body.error, 'invalid_scope');
      assert.deepEqual(body.error_codes, [70011]);
      assert.equal(body.trace_id, badScope.headers['x-ms-request-id']);
      assert.equal(body.correlation_id, 'crid-2');
      assert.equal(badScope.headers['client-request-id'], 'crid-2');
    });
  });

  void describe('scripted faults', () => {
    void it('answers 429 with Retry-After in seconds or as an HTTP-date, in order, then succeeds', async () => {
      resetWithRealTime();
      const httpDate = new Date(virtualNow + 30_000).toUTCString();
      emulator.script('mi', { kind: 'status', status: 429, retryAfter: '7' }, { kind: 'status', status: 429, retryAfter: httpDate }, { kind: 'status', status: 429 });
      const responses = [await miGet(MI_QUERY), await miGet(MI_QUERY), await miGet(MI_QUERY), await miGet(MI_QUERY)];
      assert.deepEqual(responses.map((response) => response.status), [429, 429, 429, 200]);
      assert.deepEqual(responses.map((response) => response.headers['retry-after']), ['7', httpDate, undefined, undefined]);
      assert.equal(json(responses[0] as RawResponse).statusCode, 429);
      assert.deepEqual(emulator.tokenRequests('mi').map((request) => request.fault), ['status', 'status', 'status', undefined]);
    });

    void it('sends a scripted error body as given, and Entra-shaped defaults for 5xx', async () => {
      resetWithRealTime();
      const body = { error: 'temporarily_unavailable', error_codes: [50196], trace_id: 'trace-1', correlation_id: 'corr-1' };
      emulator.script('entra', { kind: 'status', status: 500, body, headers: { 'x-ms-ests-server': 'emulator' } }, { kind: 'status', status: 503, retryAfter: '2' });
      const scripted = await postToken(clientCredentialsForm('unused'));
      assert.deepEqual(json(scripted), body);
      assert.equal(scripted.headers['x-ms-ests-server'], 'emulator');
      const byDefault = await postToken(clientCredentialsForm('unused'));
      assert.equal(byDefault.status, 503);
      assert.equal(byDefault.headers['retry-after'], '2');
      assert.deepEqual(json(byDefault).error_codes, [90033]);
    });

    void it('keeps failing under a persistent fault until it is cleared; queued faults come first', async () => {
      resetWithRealTime();
      emulator.setPersistentFault('mi', { kind: 'status', status: 503 });
      emulator.script('mi', { kind: 'status', status: 429 });
      const during = [await miGet(MI_QUERY), await miGet(MI_QUERY), await miGet(MI_QUERY)];
      emulator.setPersistentFault('mi', undefined);
      const afterwards = await miGet(MI_QUERY);
      assert.deepEqual([...during, afterwards].map((response) => response.status), [429, 503, 503, 200]);
    });

    void it('resets the connection, sends a truncated JSON body, and delays on a real timer', async () => {
      resetWithRealTime();
      emulator.script('mi', { kind: 'reset' }, { kind: 'bad-json' }, { kind: 'delay', ms: 50 });
      await assert.rejects(miGet(MI_QUERY), { code: 'ECONNRESET' });
      emulator.script('entra', { kind: 'reset' });
      await assert.rejects(postToken(clientCredentialsForm('unused')), { code: 'ECONNRESET' });
      const badJson = await miGet(MI_QUERY);
      assert.equal(badJson.status, 200);
      assert.match(String(badJson.headers['content-type']), /application\/json/);
      assert.throws(() => JSON.parse(badJson.text) as unknown, SyntaxError);
      assert.match(String(badJson.headers['x-ms-request-id']), UUID);
      const started = performance.now();
      const delayed = await miGet(MI_QUERY);
      assert.ok(performance.now() - started >= 45);
      assert.equal(delayed.status, 200);
    });

    void it('refusedUrl() names a port where nothing listens', async () => {
      await assert.rejects(rawRequest(await refusedUrl('/msi/token')), { code: 'ECONNREFUSED' });
    });

    void it('holds a hung request open until stop(), which resolves and drops the socket', async () => {
      const own = await startIdentityEmulator({ ca });
      own.registerClient({ tenantId: TENANT, clientId: 'app-client', certPem: app.certPem });
      own.script('mi', { kind: 'hang' });
      own.script('entra', { kind: 'hang' });
      const hungMi = rawRequest(`${own.managedIdentityEndpoint}?${MI_QUERY}`, { headers: { 'x-identity-header': own.identityHeader } });
      const hungEntra = rawRequest(`${own.authorityHost}/${TENANT}/oauth2/v2.0/token`, { method: 'POST', body: 'grant_type=client_credentials', ca: ca.caCertPem });
      const settled = Promise.allSettled([hungMi, hungEntra]);
      while (own.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(own.requests.map((request) => request.status), [undefined, undefined]);
      await own.stop();
      const outcomes = await settled;
      assert.deepEqual(outcomes.map((outcome) => outcome.status), ['rejected', 'rejected']);
    });
  });

  void describe('records', () => {
    void it('reset() clears faults and the request log but keeps the ledger of issued tokens', async () => {
      resetWithRealTime();
      const token = String(json(await miGet(MI_QUERY)).access_token);
      emulator.setPersistentFault('mi', { kind: 'status', status: 500 });
      emulator.reset();
      assert.equal(emulator.requests.length, 0);
      assert.equal((await miGet(MI_QUERY)).status, 200);
      assert.ok(emulator.wasIssued(token));
      assert.ok(!emulator.wasIssued(`${token}x`));
    });
  });
});
