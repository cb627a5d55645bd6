/**
 * `trustedCa` (private clouds, local emulators): both credential paths trust it for TLS and keep
 * their connection to the identity endpoint alive, against the identity emulator.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { sqlScope, startFixture, vaultScope } from './provider-fixture.js';

let ca: TestCa;
let certificate: ClientCertificate;

before(() => {
  ca = createTestCa();
  certificate = ca.makeClientCertificate('create-provider');
});
after(() => ca.cleanup());

/**
 * A TLS front (certificate from the test CA) for the emulator's plain-http managed-identity
 * endpoint, as a host that serves it over https would be; it counts the client's connections.
 */
async function httpsFront(): Promise<{ origin: string; forwardTo(origin: string): void; connections(): number; close(): Promise<void> }> {
  let target = '';
  let connections = 0;
  const server: Server = createHttpsServer({ cert: ca.serverCertPem, key: ca.serverKeyPem }, (req, res) => {
    const upstream = httpRequest(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwardTo: (origin) => {
      target = origin;
    },
    connections: () => connections,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('createTokenSource with trustedCa', () => {
  it('managed identity at an https endpoint: its certificate is trusted through the CA, and one connection serves two scopes', async () => {
    const front = await httpsFront();
    const f = await startFixture({ kind: 'managed-identity', ca, unreachableOrigin: front.origin });
    try {
      front.forwardTo(new URL(f.identity.managedIdentityEndpoint).origin);
      assert.ok(f.identity.wasIssued((await f.provider.getToken(vaultScope)).token));
      assert.ok(f.identity.wasIssued((await f.provider.getToken(sqlScope)).token));
      assert.equal(front.connections(), 1);
    } finally {
      await f.stop();
      await front.close();
    }
  });

  it('certificate credentials: discovery and the token requests of two scopes share one connection to the authority', async () => {
    const f = await startFixture({ kind: 'certificate', ca, certificate });
    try {
      await f.provider.getToken(vaultScope);
      await f.provider.getToken(sqlScope);
      assert.equal(f.identity.requests.length, 3, 'discovery, then one token request per scope');
      assert.equal(f.identity.connections('entra'), 1);
    } finally {
      await f.stop();
    }
  });
});
