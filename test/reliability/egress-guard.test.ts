/**
 * The egress guard refuses every connection that would leave the machine, before a packet does,
 * and records it; loopback goes through. Refusal is proven by the socket never binding a local
 * port (a real attempt binds one before its SYN) and by the error arriving without a timeout.
 */
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runNodeScript } from '../support/child-process.js';
import { EGRESS_REFUSED, egressGuardChildEnv, installEgressGuard, readEgressReport, type EgressGuard } from '../support/egress-guard.js';

const egressChild = fileURLToPath(new URL('./fixtures/egress-child.js', import.meta.url));

/** Connects and waits for the outcome: the error code and whether the socket ever bound a local port. */
function connectOutcome(host: string, port: number): Promise<{ code: string | undefined; localPort: number | undefined }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      const { localPort } = socket;
      socket.destroy();
      resolve({ code: 'connected', localPort });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code, localPort: socket.localPort }));
  });
}

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code;
}

describe('egress guard', () => {
  let guard: EgressGuard;
  let server: Server;
  let port: number;

  before(async () => {
    guard = installEgressGuard();
    server = createServer((_req, res) => res.end('local'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  after(async () => {
    guard.uninstall();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a TCP connect to a TEST-NET address before the socket binds, and records it', async () => {
    const started = performance.now();
    assert.deepEqual(await connectOutcome('192.0.2.1', 443), { code: EGRESS_REFUSED, localPort: undefined });
    assert.ok(performance.now() - started < 1_000, 'refused at once, not timed out');
    assert.ok(guard.refused().some((a) => a.target === '192.0.2.1:443' && a.verdict === 'refused' && a.via === 'connect'));
  });

  it('refuses http.get to a private address (10.255.255.1) through the http Agent', async () => {
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => get('http://10.255.255.1:8080/x', () => assert.fail('answered')).once('error', resolve));
    assert.equal(error.code, EGRESS_REFUSED);
    assert.ok(guard.refused().some((a) => a.target === '10.255.255.1:8080'));
  });

  it('refuses fetch() to an external host name before its DNS lookup, and to an external https address', async () => {
    await assert.rejects(fetch('http://example.invalid/'), (error: unknown) => causeCode(error) === EGRESS_REFUSED);
    await assert.rejects(fetch('https://192.0.2.7/'), (error: unknown) => causeCode(error) === EGRESS_REFUSED);
    const targets = guard.refused().map((a) => a.target);
    assert.ok(targets.includes('example.invalid:80') && targets.includes('192.0.2.7:443'), targets.join(', '));
  });

  it('refuses dns.lookup of an external name (the query itself would leave the machine)', async () => {
    await assert.rejects(dns.promises.lookup('example.com'), { code: EGRESS_REFUSED });
    const code = await new Promise((resolve) => dns.lookup('example.org', (error) => resolve(error?.code)));
    assert.equal(code, EGRESS_REFUSED);
    assert.ok(guard.refused().some((a) => a.target === 'example.com (name)' && a.via === 'dns.lookup'));
  });

  it("refuses the telemetry SDK's Azure VM metadata probe and lists it as the documented probe", async () => {
    assert.equal((await connectOutcome('169.254.169.254', 80)).code, EGRESS_REFUSED);
    assert.ok(guard.refused().some((a) => a.target === '169.254.169.254:80' && a.verdict === 'documented-telemetry-probe'));
  });

  it('lets loopback through: 127.0.0.1 by fetch, localhost by http.get', async () => {
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'local');
    const status = await new Promise((resolve, reject) => get(`http://localhost:${port}/`, (res) => resolve(res.resume().statusCode)).once('error', reject));
    assert.equal(status, 200);
    const loopback = guard.attempts().filter((a) => a.verdict === 'loopback').map((a) => a.target);
    assert.ok(loopback.includes(`127.0.0.1:${port}`) && loopback.includes(`localhost:${port}`), loopback.join(', '));
  });

  it('a child run with the preload reports its attempts to the file, refused ones with their caller', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egress-'));
    try {
      const report = join(dir, 'attempts.jsonl');
      const child = await runNodeScript(egressChild, { args: [String(port)], env: egressGuardChildEnv(report) });
      assert.equal(child.code, 0, child.stderr);
      assert.deepEqual(JSON.parse(child.stdout) as unknown, { external: EGRESS_REFUSED, loopback: 'local' });
      const attempts = readEgressReport(report);
      assert.deepEqual(attempts.map((a) => [a.target, a.verdict]), [['198.51.100.9:443', 'refused'], [`127.0.0.1:${port}`, 'loopback']]);
      assert.match(attempts[0]?.caller ?? '', /egress-child/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
