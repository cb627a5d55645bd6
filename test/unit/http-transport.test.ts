/**
 * The managed-identity HTTP port against a real server on 127.0.0.1: what it sends, how it hands
 * back the answer (lower-cased headers, repeated ones joined, the body as text, cut at 1 MiB), and
 * that the caller's signal ends a request the server never answers; over https, with the given CA
 * trusted and one connection kept alive.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createNodeHttpTransport } from '../../src/auth/http-transport.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';

let server: Server;
let base: string;
const received: { method: string | undefined; url: string | undefined; headers: IncomingMessage['headers']; body: string }[] = [];

const routes: Record<string, (res: ServerResponse) => void> = {
  '/token': (res) => {
    res.setHeader('X-Ms-Request-Id', 'req-1');
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.writeHead(429, { 'Content-Type': 'application/json' });
    res.end('{"error":"slow down"}');
  },
  '/huge': (res) => {
    res.writeHead(200);
    // 1 MiB of 'a' and then 10 bytes that must not arrive.
    res.write('a'.repeat(1024 * 1024));
    res.end('b'.repeat(10));
  },
  '/hang': () => undefined,
  '/cut': (res) => {
    // Promises 100 bytes, sends 10, then the connection drops.
    res.writeHead(200, { 'Content-Length': '100' });
    res.write('a'.repeat(10), () => res.socket?.destroy());
  },
};

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      (routes[new URL(req.url ?? '/', 'http://x').pathname] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('createNodeHttpTransport', () => {
  it('sends the method, headers and body; returns status, lower-cased headers (repeated ones joined) and the body', async () => {
    const transport = createNodeHttpTransport();
    const response = await transport({ method: 'POST', url: `${base}/token?resource=x`, headers: { 'x-identity-header': 'h' }, body: 'a=b', signal: new AbortController().signal });
    assert.equal(response.status, 429);
    assert.equal(response.headers['x-ms-request-id'], 'req-1');
    assert.equal(response.headers['set-cookie'], 'a=1, b=2');
    assert.equal(response.headers['content-type'], 'application/json');
    assert.equal(response.bodyText, '{"error":"slow down"}');
    const request = received.at(-1);
    assert.deepEqual([request?.method, request?.url, request?.headers['x-identity-header'], request?.body], ['POST', '/token?resource=x', 'h', 'a=b']);
  });

  it('keeps at most 1 MiB of a body: a token answer is a few KiB', async () => {
    const response = await createNodeHttpTransport({ ca: 'unused for http' })({ method: 'GET', url: `${base}/huge`, headers: {}, signal: new AbortController().signal });
    assert.equal(response.status, 200);
    assert.equal(response.bodyText.length, 1024 * 1024);
    assert.ok(!response.bodyText.includes('b'));
  });

  it('the caller’s signal ends a request the server never answers', async () => {
    const controller = new AbortController();
    const pending = createNodeHttpTransport()({ method: 'GET', url: `${base}/hang`, headers: {}, signal: controller.signal });
    await waitForRequest('/hang');
    controller.abort(new Error('deadline'));
    await assert.rejects(pending, { name: 'AbortError' });
  });

  it('a connection dropped in the middle of the body rejects: the caller never waits for the rest', async () => {
    await assert.rejects(createNodeHttpTransport()({ method: 'GET', url: `${base}/cut`, headers: {}, signal: new AbortController().signal }), { code: 'ECONNRESET', message: 'aborted' });
  });

  it('a refused connection rejects with its code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(createNodeHttpTransport()({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {}, signal: new AbortController().signal }), { code: 'ECONNREFUSED' });
  });
});

/** Resolves once the server has read a request for `path` (no timer: it polls on the event loop). */
async function waitForRequest(path: string): Promise<void> {
  while (!received.some((r) => r.url === path)) await new Promise((resolve) => setImmediate(resolve));
}

describe('createNodeHttpTransport over https', () => {
  let ca: TestCa;
  let server: HttpsServer;
  let origin: string;
  let connections = 0;

  before(async () => {
    ca = createTestCa();
    server = createHttpsServer({ cert: ca.serverCertPem, key: ca.serverKeyPem }, (_req, res) => res.writeHead(200).end('{}'));
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    ca.cleanup();
  });

  it('trusts the given CA and keeps one connection alive for the requests that follow', async () => {
    const transport = createNodeHttpTransport({ ca: ca.caCertPem });
    const get = () => transport({ method: 'GET', url: `${origin}/msi/token`, headers: {}, signal: new AbortController().signal });
    assert.equal((await get()).status, 200);
    assert.equal((await get()).status, 200);
    assert.equal(connections, 1);
  });

  it('without the CA, the server\'s certificate is not trusted', async () => {
    await assert.rejects(createNodeHttpTransport()({ method: 'GET', url: `${origin}/msi/token`, headers: {}, signal: new AbortController().signal }), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });
});
