/**
 * The real applicationinsights SDK, in a child process set up from the environment at module
 * load, exporting over TLS to the capture server: item types, the property contract, operation
 * ids from the invocation's traceparent, quietness, and no secret in anything that left.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startIngestionServer, type Envelope, type IngestionServer } from '../../src/sandbox/ingestion/index.js';
import { runNodeScript, type NodeRunResult } from '../support/child-process.js';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { ERROR_PROPERTY_NAMES } from '../../src/telemetry/token-event-mapping.js';
import { egressGuardChildEnv, readEgressReport } from '../support/egress-guard.js';
import { lastJsonLine, syntheticChild } from './support/child-fixture.js';
import { findLeaks, pemSecrets, type Secret } from './support/secret-scan.js';

const OPERATION_ID = randomBytes(16).toString('hex');
const PARENT_ID = randomBytes(8).toString('hex');
const INVOCATION_ID = randomUUID();

const props = (envelope: Envelope): Record<string, string> => envelope.data?.baseData?.properties ?? {};
const ofType = (envelopes: readonly Envelope[], baseType: string): Envelope[] => envelopes.filter((e) => e.data?.baseType === baseType);

describe('Application Insights adapter against a real ingestion socket', () => {
  let ca: TestCa;
  let server: IngestionServer;
  let certificate: ClientCertificate;
  let child: NodeRunResult;
  let secrets: Secret[];
  let egressReport: string;

  before(async () => {
    ca = createTestCa();
    egressReport = join(ca.dir, 'egress.jsonl');
    server = await startIngestionServer({ tls: { cert: ca.serverCertPem, key: ca.serverKeyPem } });
    certificate = ca.makeClientCertificate('leaky-client', { password: `pw-${randomBytes(6).toString('hex')}` });
    const leaks = {
      IDENTITY_HEADER: randomBytes(16).toString('hex'),
      AZURE_CLIENT_CERTIFICATE_PASSWORD: certificate.password ?? '',
      TEST_LEAK_JWT: `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ aud: randomUUID() })).toString('base64url')}.${randomBytes(32).toString('base64url')}`,
      TEST_LEAK_OPAQUE_TOKEN: `opaque-${randomBytes(12).toString('hex')}`,
    };
    secrets = [
      { label: 'identity header', value: leaks.IDENTITY_HEADER },
      { label: 'certificate password', value: leaks.AZURE_CLIENT_CERTIFICATE_PASSWORD },
      { label: 'JWT', value: leaks.TEST_LEAK_JWT },
      { label: 'opaque bearer token', value: leaks.TEST_LEAK_OPAQUE_TOKEN },
      ...pemSecrets('private key', certificate.keyPem),
      ...pemSecrets('certificate', certificate.certPem),
    ];
    child = await runNodeScript(syntheticChild, {
      args: ['contract'],
      timeoutMs: 30_000,
      env: {
        ...leaks,
        ...egressGuardChildEnv(egressReport),
        NODE_EXTRA_CA_CERTS: ca.caCertPath,
        APPLICATIONINSIGHTS_CONNECTION_STRING: server.connectionString,
        TELEMETRY_DISABLE_OFFLINE_STORAGE: 'true',
        TEST_LEAK_PEM_PATH: certificate.path,
        TEST_TRACEPARENT: `00-${OPERATION_ID}-${PARENT_ID}-01`,
        TEST_INVOCATION_ID: INVOCATION_ID,
      },
    });
    assert.equal(child.code, 0, child.stderr);
    assert.deepEqual(lastJsonLine(child.stdout), { done: true });
  });

  after(async () => {
    await server?.stop();
    ca?.cleanup();
  });

  it('exports only to the configured endpoint, over /v2.1/track', () => {
    assert.ok(server.requests.length > 0);
    for (const request of server.requests) assert.equal(request.path, '/v2.1/track');
    for (const envelope of server.envelopes) assert.equal(envelope.iKey, server.instrumentationKey);
  });

  it("connects to nothing but the ingestion endpoint; the SDK's Azure VM metadata probe is refused by the egress guard and the export still works", () => {
    const attempts = readEgressReport(egressReport).filter((a) => a.via === 'connect');
    const ingestion = new URL(server.url).host;
    assert.ok(attempts.some((a) => a.target === ingestion && a.verdict === 'loopback'), JSON.stringify(attempts));
    // @azure/monitor-opentelemetry always runs @opentelemetry/resource-detector-azure's VM detector
    // (GET http://169.254.169.254/metadata/instance/compute, 1 s timeout); no option turns it off.
    const unexpected = attempts.filter((a) => a.target !== ingestion && a.verdict !== 'documented-telemetry-probe');
    assert.deepEqual(unexpected, [], 'no statsbeat, live metrics or any other endpoint');
    const probes = attempts.filter((a) => a.verdict === 'documented-telemetry-probe');
    assert.deepEqual(probes.map((a) => a.target), ['169.254.169.254:80'], 'the probe was made once, refused and listed');
    assert.match(probes[0]?.caller ?? '', /resource-detector-azure/);
  });

  it('a failed acquisition is one exception item with every contract property', () => {
    const failed = ofType(server.envelopes, 'ExceptionData').find((e) => props(e).errorCode === 'invalid_client_credential');
    assert.ok(failed, 'exception for invalid_client_credential');
    const properties = props(failed);
    for (const name of ERROR_PROPERTY_NAMES) assert.ok(name in properties, `missing ${name}`);
    assert.deepEqual(
      Object.fromEntries(ERROR_PROPERTY_NAMES.map((name) => [name, properties[name]])),
      {
        errorCode: 'invalid_client_credential',
        credentialSource: 'certificate',
        scope: 'https://vault.azure.net/.default',
        status: '401',
        retryable: 'false',
        retryAfterMs: '',
        correlationId: 'corr-invalid_client_credential',
        traceId: 'trace-invalid_client_credential',
        requestId: 'req-invalid_client_credential',
        clientRequestId: 'client-req-invalid_client_credential',
        invocationId: INVOCATION_ID,
        functionName: 'inventoryTimer',
      },
    );
    assert.equal(failed.data?.baseData?.severityLevel, 'Error');
    const [exception] = failed.data?.baseData?.exceptions as Array<{ typeName: string; message: string }>;
    assert.equal(exception?.typeName, 'TokenError');
  });

  it('items raised inside the invocation carry its operation id and parent id', () => {
    const inside = server.envelopes.filter((e) => props(e).invocationId === INVOCATION_ID);
    assert.ok(inside.length >= 7, `expected the invocation's items, got ${inside.length}`);
    for (const envelope of inside) {
      assert.equal(envelope.tags?.['ai.operation.id'], OPERATION_ID, envelope.name);
      assert.equal(envelope.tags?.['ai.operation.parentId'], PARENT_ID, envelope.name);
    }
  });

  it('an event raised without an invocation inside one takes the ambient invocation', () => {
    const ambient = ofType(server.envelopes, 'ExceptionData').find((e) => props(e).errorCode === 'managed_identity_unreachable_network');
    assert.equal(props(ambient as Envelope).invocationId, INVOCATION_ID);
    assert.equal(ambient?.tags?.['ai.operation.id'], OPERATION_ID);
  });

  it('items raised outside any invocation are not charged to it', () => {
    const outside = ofType(server.envelopes, 'ExceptionData').find((e) => props(e).errorCode === 'configuration_error');
    assert.equal(props(outside as Envelope).invocationId, '');
    assert.notEqual(outside?.tags?.['ai.operation.id'], OPERATION_ID);
  });

  it("background items raised while the invocation and its trace are active carry neither its id nor its operation id", () => {
    const background = server.envelopes.filter(
      (e) => props(e).background === 'true' || props(e).tokenEvent === 'refresh-failed' || (props(e).tokenEvent === 'throttled' && props(e).retryAfterMs === '9000'),
    );
    const kinds = background.map((e) => `${String(e.data?.baseType)}:${props(e).tokenEvent}`).sort();
    assert.deepEqual(kinds, ['EventData:refresh-failed', 'EventData:throttled', 'ExceptionData:refresh-failed', 'RemoteDependencyData:identity-request']);
    for (const envelope of background) {
      assert.equal(props(envelope).invocationId, '', kinds.join());
      assert.equal(props(envelope).functionName, '');
      assert.notEqual(envelope.tags?.['ai.operation.id'], OPERATION_ID);
    }
  });

  it('a request to the identity platform is an HTTP dependency: METHOD /path name, target host, URL, duration, result code, success', () => {
    const dependencies = ofType(server.envelopes, 'RemoteDependencyData').filter((e) => props(e).background === 'false');
    const pick = (resultCode: string): Record<string, unknown> | undefined => dependencies.find((e) => e.data?.baseData?.resultCode === resultCode)?.data?.baseData;
    const ok = pick('200');
    assert.deepEqual(
      { name: ok?.name, type: ok?.type, target: ok?.target, data: ok?.data, duration: ok?.duration, success: ok?.success, requestId: (ok?.properties as Record<string, string>).requestId },
      {
        name: 'POST /tenant-1/oauth2/v2.0/token',
        type: 'Http',
        target: '127.0.0.1:9',
        data: 'https://127.0.0.1:9/tenant-1/oauth2/v2.0/token',
        duration: '00:00:00.042',
        success: true,
        requestId: 'req-ok',
      },
    );
    const noResponse = pick('0');
    assert.equal(noResponse?.success, false);
  });

  it('throttling and refresh failures are custom events with the failure properties', () => {
    const events = ofType(server.envelopes, 'EventData');
    const throttled = events.find((e) => e.data?.baseData?.name === 'TokenThrottled');
    assert.equal(props(throttled as Envelope).retryAfterMs, '7000');
    assert.equal(props(throttled as Envelope).correlationId, 'corr-throttled');
    const refreshFailed = events.find((e) => e.data?.baseData?.name === 'TokenRefreshFailed');
    assert.equal(props(refreshFailed as Envelope).errorCode, 'identity_platform_unavailable');
    const warning = ofType(server.envelopes, 'ExceptionData').find((e) => props(e).tokenEvent === 'refresh-failed');
    assert.equal(warning?.data?.baseData?.severityLevel, 'Warning');
  });

  it("cache hits, misses and seconds to expiry are metrics read from the provider's counters, with the documented dimensions", () => {
    const rows = ofType(server.envelopes, 'MetricData').flatMap((e) =>
      ((e.data?.baseData?.metrics as Array<{ name: string; value: number }>) ?? []).map((m) => ({ ...m, properties: props(e) })),
    );
    const row = (name: string): { value: number; properties: Record<string, string> } | undefined => rows.find((m) => m.name === name);
    const dimensions = { credentialSource: 'certificate', scope: 'https://vault.azure.net/.default' };
    assert.deepEqual([row('TokenCacheHit')?.value, row('TokenCacheHit')?.properties], [1, dimensions]);
    assert.deepEqual([row('TokenCacheMiss')?.value, row('TokenCacheMiss')?.properties], [1, { ...dimensions, reason: 'cold' }]);
    assert.deepEqual([row('TokenSecondsToExpiry')?.value, row('TokenSecondsToExpiry')?.properties], [3600, dimensions]);
    assert.equal(rows.filter((m) => m.name.startsWith('Token')).length, 3, 'one row per series: the served-from-cache and cache-miss events raised no items');
  });

  it('sends nothing it was not asked to: no console, performance, standard or resource metrics, no requests', () => {
    const baseTypes = new Set(server.envelopes.map((e) => e.data?.baseType));
    assert.deepEqual([...baseTypes].sort(), ['EventData', 'ExceptionData', 'MetricData', 'RemoteDependencyData']);
    const metricNames = new Set(ofType(server.envelopes, 'MetricData').flatMap((e) => (e.data?.baseData?.metrics as Array<{ name: string }>).map((m) => m.name)));
    assert.deepEqual([...metricNames].sort(), ['JobItems', 'TokenCacheHit', 'TokenCacheMiss', 'TokenSecondsToExpiry']);
    assert.ok(!server.rawBodies.some((body) => body.includes('raised events')), 'console output is not collected');
  });

  it('no token, password, identity header, key or certificate in any envelope or log line', () => {
    const hits = findLeaks(
      [
        ...server.rawBodies.map((text, index) => ({ label: `track request ${index + 1}`, text })),
        { label: 'child stdout', text: child.stdout },
        { label: 'child stderr', text: child.stderr },
      ],
      secrets,
    );
    assert.deepEqual(hits, []);
    // The secrets were really there to leak: the redaction marker shows where they were removed.
    assert.ok(server.rawBodies.some((body) => body.includes('[REDACTED PEM]')));
  });
});
