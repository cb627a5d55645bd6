/**
 * End to end: the real token provider against the identity emulator, the real applicationinsights
 * SDK exporting to the capture server, every error code. Checks the item type, the property
 * contract, the ids the emulator really sent, the invocation's operation id, and that nothing the
 * emulator issued or holds leaked.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import { startIngestionServer, type Envelope, type IngestionServer } from '../../src/sandbox/ingestion/index.js';
import { runNodeScript, type NodeRunResult } from '../support/child-process.js';
import { refusedUrl } from '../../src/sandbox/ports.js';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { ERROR_PROPERTY_NAMES } from '../../src/telemetry/token-event-mapping.js';
import type { CaseOutcome, ChildReport } from './fixtures/provider-child.js';
import { lastJsonLine, providerChild } from './support/child-fixture.js';
import { findLeaks, pemSecrets, type Secret } from './support/secret-scan.js';

const TENANT_ID = '3c1e2b4a-5d6f-4a7b-8c9d-0e1f2a3b4c5d';
const CLIENT_ID = '9a8b7c6d-5e4f-4321-8fed-cba987654321';
const MI_CORRELATION = `mi-corr-${randomUUID()}`;
const SCOPE_CORRELATION = `scope-corr-${randomUUID()}`;
const SCOPE_TRACE = `scope-trace-${randomUUID()}`;

const EXPECTED_CODES: Record<string, string> = {
  'mi-throttled': 'throttled',
  'mi-failed-response': 'managed_identity_failed_response',
  'mi-unreachable': 'managed_identity_unreachable_network',
  'entra-unavailable': 'identity_platform_unavailable',
  'entra-invalid-scope': 'invalid_scope',
  'entra-rejected': 'token_request_rejected',
  'entra-invalid-client': 'invalid_client_credential',
  'entra-unreachable': 'identity_platform_unreachable',
  'local-invalid-scope': 'invalid_scope',
  'configuration-error': 'configuration_error',
};

const props = (envelope: Envelope | undefined): Record<string, string> => envelope?.data?.baseData?.properties ?? {};
const ofType = (envelopes: readonly Envelope[], baseType: string): Envelope[] => envelopes.filter((e) => e.data?.baseType === baseType);

describe('token provider -> telemetry, end to end, every error code', () => {
  let ca: TestCa;
  let identity: IdentityEmulator;
  let ingestion: IngestionServer;
  let certificate: ClientCertificate;
  let child: NodeRunResult;
  let report: ChildReport;
  const secrets: Secret[] = [];
  const outputs: Array<{ label: string; text: string }> = [];

  const caseNamed = (name: string): CaseOutcome => {
    const found = report.cases.find((c) => c.name === name);
    assert.ok(found, `case ${name} ran`);
    return found;
  };
  const exceptionOf = (name: string): Envelope | undefined =>
    ofType(ingestion.envelopes, 'ExceptionData').find((e) => props(e).invocationId === caseNamed(name).invocationId && props(e).tokenEvent !== 'refresh-failed');

  before(async () => {
    ca = createTestCa();
    certificate = ca.makeClientCertificate('daemon', { password: `pw-${randomBytes(6).toString('hex')}` });
    identity = await startIdentityEmulator({ ca });
    identity.registerClient({ tenantId: TENANT_ID, clientId: CLIENT_ID, certPem: certificate.certPem });
    ingestion = await startIngestionServer({ tls: { cert: ca.serverCertPem, key: ca.serverKeyPem } });

    identity.script(
      'mi',
      { kind: 'success' },
      { kind: 'status', status: 429, retryAfter: '7' },
      { kind: 'status', status: 400, body: { statusCode: 400, message: 'Identity not found', correlationId: MI_CORRELATION } },
      { kind: 'success', refreshInSeconds: 60 },
      { kind: 'status', status: 503 },
    );
    identity.script(
      'entra',
      { kind: 'status', status: 503 },
      {
        kind: 'status',
        status: 400,
        body: { error: 'invalid_scope', error_description: 'AADSTS70011: The provided value for scope is not valid.', error_codes: [70011], trace_id: SCOPE_TRACE, correlation_id: SCOPE_CORRELATION },
      },
      { kind: 'status', status: 400 },
    );

    child = await runNodeScript(providerChild, {
      args: ['error-codes'],
      timeoutMs: 45_000,
      env: {
        NODE_EXTRA_CA_CERTS: ca.caCertPath,
        APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
        TELEMETRY_DISABLE_OFFLINE_STORAGE: 'true',
        IDENTITY_HEADER: identity.identityHeader,
        AZURE_CLIENT_CERTIFICATE_PASSWORD: certificate.password,
        TEST_MI_ENDPOINT: identity.managedIdentityEndpoint,
        TEST_REFUSED_HTTP_URL: await refusedUrl('/msi/token'),
        TEST_REFUSED_HTTPS_URL: (await refusedUrl('/', 'https')).replace(/\/$/, ''),
        TEST_TENANT_ID: TENANT_ID,
        TEST_CLIENT_ID: CLIENT_ID,
        TEST_UNREGISTERED_CLIENT_ID: randomUUID(),
        TEST_CERT_PATH: certificate.path,
        TEST_AUTHORITY_HOST: identity.authorityHost,
      },
    });
    outputs.push({ label: 'error-codes child stdout', text: child.stdout }, { label: 'error-codes child stderr', text: child.stderr });
    assert.equal(child.code, 0, child.stderr);
    report = lastJsonLine<ChildReport>(child.stdout);
    secrets.push(
      { label: 'identity header', value: identity.identityHeader },
      { label: 'certificate password', value: certificate.password ?? '' },
      ...pemSecrets('client private key', certificate.keyPem),
      ...pemSecrets('client certificate', certificate.certPem),
      ...pemSecrets('TLS server key', ca.serverKeyPem),
    );
  });

  after(async () => {
    await identity?.stop();
    await ingestion?.stop();
    ca?.cleanup();
  });

  it('the provider reached every error code', () => {
    for (const [name, code] of Object.entries(EXPECTED_CODES)) assert.equal(caseNamed(name).outcome, code, name);
    assert.equal(caseNamed('mi-success').outcome, 'ok');
    assert.equal(report.refreshFailedSeen, true);
  });

  it('each failure is an exception item with every contract property and the invocation it happened in', () => {
    for (const [name, code] of Object.entries(EXPECTED_CODES)) {
      const outcome = caseNamed(name);
      const exception = exceptionOf(name);
      assert.ok(exception, `exception item for ${name}`);
      const properties = props(exception);
      for (const property of ERROR_PROPERTY_NAMES) assert.ok(property in properties, `${name}: ${property}`);
      assert.equal(properties.errorCode, code, name);
      assert.equal(properties.functionName, `fn-${name}`, name);
      assert.equal(exception.tags?.['ai.operation.id'], outcome.operationId, `${name}: operation id`);
      assert.equal(exception.tags?.['ai.operation.parentId'], outcome.parentId, `${name}: parent id`);
      // What the caller saw is what telemetry says.
      assert.equal(properties.correlationId, outcome.correlationId ?? '', `${name}: correlationId`);
      assert.equal(properties.requestId, outcome.requestId ?? '', `${name}: requestId`);
      assert.equal(properties.clientRequestId, outcome.clientRequestId ?? '', `${name}: clientRequestId`);
    }
  });

  it('carries the ids the identity platform really sent', () => {
    const tokenRequests = identity.requests.filter((r) => r.kind === 'token');
    const answered = (requestId: string): number | undefined => tokenRequests.find((r) => r.requestId === requestId)?.status;
    for (const name of ['mi-throttled', 'mi-failed-response', 'entra-unavailable', 'entra-invalid-scope', 'entra-rejected', 'entra-invalid-client']) {
      const properties = props(exceptionOf(name));
      assert.notEqual(properties.requestId, '', `${name}: x-ms-request-id`);
      assert.equal(String(answered(properties.requestId ?? '')), properties.status, `${name}: the request the emulator answered`);
      assert.equal(properties.credentialSource, name.startsWith('mi-') ? 'managed-identity' : 'certificate');
    }
    assert.equal(props(exceptionOf('mi-failed-response')).correlationId, MI_CORRELATION);
    assert.equal(props(exceptionOf('mi-throttled')).retryAfterMs, '7000');
    assert.equal(props(exceptionOf('mi-throttled')).retryable, 'true');
    // Entra echoes our client-request-id as its correlation id and uses x-ms-request-id as trace id.
    for (const name of ['entra-unavailable', 'entra-rejected', 'entra-invalid-client']) {
      const properties = props(exceptionOf(name));
      assert.equal(properties.correlationId, properties.clientRequestId, `${name}: correlation id`);
      assert.equal(properties.traceId, properties.requestId, `${name}: trace id`);
    }
    assert.deepEqual(
      [props(exceptionOf('entra-invalid-scope')).correlationId, props(exceptionOf('entra-invalid-scope')).traceId],
      [SCOPE_CORRELATION, SCOPE_TRACE],
    );
  });

  it('throttling is an event and a failed background refresh is an event plus a warning', () => {
    const events = ofType(ingestion.envelopes, 'EventData');
    const throttled = events.find((e) => e.data?.baseData?.name === 'TokenThrottled' && props(e).invocationId === caseNamed('mi-throttled').invocationId);
    assert.equal(props(throttled).retryAfterMs, '7000');
    assert.equal(throttled?.tags?.['ai.operation.id'], caseNamed('mi-throttled').operationId);
    const refreshFailed = events.find((e) => e.data?.baseData?.name === 'TokenRefreshFailed');
    assert.equal(props(refreshFailed).errorCode, 'managed_identity_failed_response');
    assert.equal(props(refreshFailed).status, '503');
    assert.notEqual(props(refreshFailed).tokenExpiresOn, '');
    const warning = ofType(ingestion.envelopes, 'ExceptionData').find((e) => props(e).tokenEvent === 'refresh-failed');
    assert.equal(warning?.data?.baseData?.severityLevel, 'Warning');
  });

  it('every answered token request is an HTTP dependency with its result code; an unreachable endpoint has code 0', () => {
    const dependencies = ofType(ingestion.envelopes, 'RemoteDependencyData');
    const tokenRequests = identity.requests.filter((r) => r.kind === 'token' && r.status !== undefined);
    assert.ok(tokenRequests.length >= 8);
    for (const request of tokenRequests) {
      const dependency = dependencies.find((d) => props(d).requestId === request.requestId);
      assert.ok(dependency, `dependency for ${request.target} ${request.status}`);
      const data = dependency.data?.baseData;
      assert.equal(data?.resultCode, String(request.status));
      assert.equal(data?.success, request.status === 200);
      assert.equal(data?.type, 'Http');
      assert.match(String(data?.target), /^127\.0\.0\.1:\d+$/);
      assert.match(String(data?.duration), /^\d{2}:\d{2}:\d{2}\.\d{3}$/);
    }
    const unreachable = dependencies.find((d) => props(d).invocationId === caseNamed('mi-unreachable').invocationId);
    assert.deepEqual([unreachable?.data?.baseData?.resultCode, unreachable?.data?.baseData?.success], ['0', false]);
    assert.equal(unreachable?.tags?.['ai.operation.id'], caseNamed('mi-unreachable').operationId);
  });

  it('each dependency is named as README says: the method and path that went on the wire (GET /msi/token, POST /{tenant}/oauth2/v2.0/token)', () => {
    const dependencies = ofType(ingestion.envelopes, 'RemoteDependencyData');
    const answered = identity.requests.filter((r) => r.status !== undefined);
    const names = new Set<string>();
    for (const request of answered) {
      const dependency = dependencies.find((d) => props(d).requestId === request.requestId);
      assert.ok(dependency, `dependency for ${request.method} ${request.path}`);
      const exported = dependency.data?.baseData;
      assert.equal(exported?.name, `${request.method} ${request.path}`);
      assert.equal(exported?.data, `${new URL(String(exported?.data)).origin}${request.path}`, 'the endpoint URL, without its query string');
      names.add(String(exported?.name));
    }
    for (const documented of ['GET /msi/token', `POST /${TENANT_ID}/oauth2/v2.0/token`, `GET /${TENANT_ID}/v2.0/.well-known/openid-configuration`]) {
      assert.ok(names.has(documented), `${documented} in ${[...names].join(', ')}`);
    }
  });

  it('cache hits, misses and seconds to expiry are metrics; every hit the providers counted is in TokenCacheHit, one row per series', () => {
    const rows = ofType(ingestion.envelopes, 'MetricData').flatMap((e) =>
      (e.data?.baseData?.metrics as Array<{ name: string; value: number }>).map((m) => ({ ...m, properties: props(e) })),
    );
    for (const name of ['TokenCacheHit', 'TokenCacheMiss', 'TokenSecondsToExpiry']) assert.ok(rows.some((m) => m.name === name), name);
    const hits = rows.filter((m) => m.name === 'TokenCacheHit');
    const exported = (source: string): number => hits.filter((m) => m.properties.credentialSource === source).reduce((sum, m) => sum + m.value, 0);
    assert.ok((report.cacheHits?.['managed-identity'] ?? 0) >= 999, 'the providers counted the hits');
    assert.equal(exported('managed-identity'), report.cacheHits?.['managed-identity']);
    assert.equal(exported('certificate'), report.cacheHits?.['certificate'] ?? 0);
    const series = hits.map((m) => `${m.properties.credentialSource} ${m.properties.scope}`);
    assert.equal(new Set(series).size, series.length, `one row per series, not one per hit: ${series.join(', ')}`);
    for (const row of rows.filter((m) => m.name.startsWith('Token'))) assert.equal(row.properties.invocationId, undefined, 'metrics carry no invocation id');
  });

  it('the module-scope provider from getTokenProvider() reports through the same layer, its cache metrics included', async () => {
    const earlier = ingestion.envelopes.length;
    const runtimeChild = await runNodeScript(providerChild, {
      args: ['runtime'],
      timeoutMs: 30_000,
      env: {
        NODE_EXTRA_CA_CERTS: ca.caCertPath,
        APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
        TELEMETRY_DISABLE_OFFLINE_STORAGE: 'true',
        IDENTITY_ENDPOINT: identity.managedIdentityEndpoint,
        IDENTITY_HEADER: identity.identityHeader,
      },
    });
    outputs.push({ label: 'runtime child stdout', text: runtimeChild.stdout }, { label: 'runtime child stderr', text: runtimeChild.stderr });
    assert.equal(runtimeChild.code, 0, runtimeChild.stderr);
    const [outcome] = lastJsonLine<ChildReport>(runtimeChild.stdout).cases;
    assert.equal(outcome?.outcome, 'ok');
    const dependency = ofType(ingestion.envelopes, 'RemoteDependencyData').find((d) => props(d).invocationId === outcome?.invocationId);
    assert.ok(dependency, 'getTokenProvider() events reach Application Insights (src/runtime.ts wires getTelemetry().onTokenEvent)');
    assert.equal(dependency.tags?.['ai.operation.id'], outcome?.operationId);
    const metricNames = ofType(ingestion.envelopes.slice(earlier), 'MetricData').flatMap((e) => (e.data?.baseData?.metrics as Array<{ name: string }>).map((m) => m.name));
    for (const name of ['TokenCacheMiss', 'TokenSecondsToExpiry']) assert.ok(metricNames.includes(name), `${name}: src/runtime.ts has telemetry observe the singleton's cache`);
  });

  it('no issued token, identity header, password, key or certificate in any envelope or log line', () => {
    const issued = identity.issuedTokens.map((t, index) => ({ label: `issued token ${index + 1} (${t.target})`, value: t.token }));
    // Two scripted successes mint; the managed-identity host hands its cached token to the runtime child, as a real one does.
    assert.ok(issued.length >= 2, 'tokens were issued, so there was something to leak');
    const hits = findLeaks([...ingestion.rawBodies.map((text, index) => ({ label: `track request ${index + 1}`, text })), ...outputs], [...secrets, ...issued]);
    assert.deepEqual(hits, []);
  });
});
