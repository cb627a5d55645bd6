/**
 * The endpoint checks in process, over real sockets, for the breaks the emulator cannot stage:
 * a host name that does not resolve, a TLS certificate this machine does not trust, and a tenant
 * discovery document that says the tenant does not exist (as Entra answers, AADSTS90002).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { probeEndpoint, type ProbeTarget } from '../../src/doctor/endpoint-checks.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { tenantId } from './doctor-harness.js';

let ca: TestCa;
let server: Server;
let origin: string;
const tenantNotFound = {
  error: 'invalid_tenant',
  error_description: `AADSTS90002: Tenant '${tenantId}' not found. Check to make sure you have the correct tenant ID.`,
  error_codes: [90002],
  trace_id: '11111111-2222-4333-8444-555555555555',
  correlation_id: '66666666-7777-4888-8999-000000000000',
};

before(async () => {
  ca = createTestCa();
  server = createServer({ cert: ca.serverCertPem, key: ca.serverKeyPem }, (_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json', 'x-ms-request-id': '11111111-2222-4333-8444-555555555555' });
    res.end(JSON.stringify(tenantNotFound));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  ca.cleanup();
});

const target = (url: string, ca?: string): ProbeTarget => ({
  kind: 'certificate',
  url: new URL(`/${tenantId}/v2.0/.well-known/openid-configuration`, url),
  setting: 'AZURE_AUTHORITY_HOST',
  timeoutMs: 3_000,
  ca,
  situation: { kind: 'certificate', endpoint: url, tenantId, now: Date.now() },
});

describe('endpoint checks', () => {
  it('a host name that does not resolve fails at DNS, and nothing after it is tried', async () => {
    const { checks } = await probeEndpoint(target('https://login.doctor-check.invalid'));
    assert.deepEqual(checks.map((check) => [check.id, check.status]), [['endpoint.dns', 'fail']]);
    assert.equal(checks[0]?.remedy?.id, 'endpoint-unreachable');
    assert.match(checks[0]?.remedy?.text ?? '', /AZURE_AUTHORITY_HOST \(https:\/\/login\.doctor-check\.invalid\) does not resolve/);
  });

  it('a certificate signed by a CA this machine does not trust fails at TLS and points at NODE_EXTRA_CA_CERTS', async () => {
    const { checks } = await probeEndpoint(target(origin));
    const tls = checks.find((check) => check.id === 'endpoint.tls');
    assert.equal(tls?.status, 'fail');
    assert.equal(tls?.remedy?.id, 'endpoint-unreachable');
    assert.match(tls?.remedy?.text ?? '', /not trusted here .*NODE_EXTRA_CA_CERTS/);
    assert.equal(checks.some((check) => check.id === 'endpoint.http'), false);
  });

  it('a discovery document answering AADSTS90002 is a wrong tenant, with its ids; the Date header is kept for the clock check', async () => {
    const { checks, dates } = await probeEndpoint(target(origin, ca.caCertPem));
    assert.deepEqual(checks.map((check) => [check.id, check.status]), [['endpoint.dns', 'pass'], ['endpoint.tcp', 'pass'], ['endpoint.tls', 'pass'], ['endpoint.http', 'fail']]);
    const http = checks.at(-1);
    assert.equal(http?.remedy?.id, 'wrong-tenant');
    assert.ok(http?.remedy?.text.includes(tenantId));
    assert.deepEqual(http?.error?.errorCodes, [90002]);
    assert.equal(http?.error?.correlationId, tenantNotFound.correlation_id);
    assert.equal(http?.error?.requestId, '11111111-2222-4333-8444-555555555555');
    assert.equal(dates.length, 1);
  });
});
