/**
 * The identity emulator's faults that the reliability matrix needs beyond the basic set: an answer
 * that takes emulator-clock time (`slow`), a connection dropped after a 200's headers
 * (`reset-mid-body`), a host clock that has drifted (`setClockSkew`), a held request the client
 * gave up on (`abandoned`), and the `Retry-After` each scripted status sent, kept in the request log.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import { rawRequest } from '../support/http-request.js';
import { waitUntil } from '../support/scheduled-clock.js';

const MI_QUERY = 'api-version=2019-08-01&resource=https://vault.azure.net';

void describe('identity emulator: clock-driven and mid-response faults', () => {
  let ca: TestCa;
  let emulator: IdentityEmulator;
  let virtualNow = Date.parse('2026-01-01T00:00:00Z');

  before(async () => {
    ca = createTestCa();
    emulator = await startIdentityEmulator({ ca, now: () => virtualNow });
  });
  after(async () => {
    await emulator.stop();
    ca.cleanup();
  });

  const miGet = () => rawRequest(`${emulator.managedIdentityEndpoint}?${MI_QUERY}`, { headers: { 'x-identity-header': emulator.identityHeader } });

  void it('a slow answer waits for the emulator clock, not for real time', async () => {
    emulator.reset();
    emulator.script('mi', { kind: 'slow', ms: 10_000 });
    let answered = false;
    const pending = miGet().then((response) => {
      answered = true;
      return response;
    });
    await waitUntil(() => emulator.tokenRequests('mi').length === 1, 'the request to arrive');
    virtualNow += 9_999;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(answered, false, 'still held one virtual millisecond before');
    virtualNow += 1;
    const response = await pending;
    assert.equal(response.status, 200);
    assert.equal(emulator.tokenRequests('mi')[0]?.fault, 'slow');
  });

  void it('reset-mid-body sends 200 and its headers, then drops the connection before the body ends', async () => {
    emulator.reset();
    emulator.script('mi', { kind: 'reset-mid-body' });
    const seen = await new Promise<{ status: number | undefined; error: string }>((resolve) => {
      const req = request(`${emulator.managedIdentityEndpoint}?${MI_QUERY}`, { headers: { 'x-identity-header': emulator.identityHeader }, agent: false }, (res) => {
        res.on('data', () => undefined);
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ status: res.statusCode, error: error.code ?? error.message }));
        res.on('end', () => resolve({ status: res.statusCode, error: 'none' }));
      });
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: undefined, error: error.code ?? error.message }));
      req.end();
    });
    assert.equal(seen.status, 200);
    assert.equal(seen.error, 'ECONNRESET');
    assert.deepEqual([emulator.tokenRequests('mi')[0]?.status, emulator.tokenRequests('mi')[0]?.fault], [200, 'reset-mid-body']);
  });

  void it('a skewed clock moves expires_on; the request log stays on the test clock', async () => {
    emulator.reset();
    emulator.setClockSkew(5 * 60_000);
    const ahead = JSON.parse((await miGet()).text) as { expires_on: string };
    emulator.reset();
    emulator.configureServerCache({ enabled: false });
    emulator.setClockSkew(-5 * 60_000);
    const behind = JSON.parse((await miGet()).text) as { expires_on: string };
    assert.equal(Number(ahead.expires_on) - Number(behind.expires_on), 600, '10 minutes apart');
    assert.equal(Number(ahead.expires_on), Math.floor((virtualNow + 5 * 60_000) / 1000) + 3600);
    assert.equal(emulator.tokenRequests('mi')[0]?.time, virtualNow, 'logged on the unskewed clock');
    emulator.reset();
    const reset = JSON.parse((await miGet()).text) as { expires_on: string };
    assert.equal(Number(reset.expires_on), Math.floor(virtualNow / 1000) + 3600, 'reset() clears the skew');
  });

  void it('marks a held request the client gave up on as abandoned', async () => {
    emulator.reset();
    emulator.script('mi', { kind: 'hang' });
    const controller = new AbortController();
    const pending = rawRequest(`${emulator.managedIdentityEndpoint}?${MI_QUERY}`, { headers: { 'x-identity-header': emulator.identityHeader }, signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    await waitUntil(() => emulator.tokenRequests('mi').length === 1, 'the request to arrive');
    assert.equal(emulator.tokenRequests('mi')[0]?.abandoned, undefined, 'held, the client still waiting');
    controller.abort();
    await pending;
    await waitUntil(() => emulator.tokenRequests('mi')[0]?.abandoned === true, 'the emulator to see the client leave');
    assert.equal(emulator.tokenRequests('mi')[0]?.status, undefined);
  });

  void it('records the Retry-After a scripted status sent', async () => {
    emulator.reset();
    emulator.script('mi', { kind: 'status', status: 429, retryAfter: '7' }, { kind: 'status', status: 503 });
    assert.equal((await miGet()).headers['retry-after'], '7');
    await miGet();
    assert.deepEqual(
      emulator.tokenRequests('mi').map((r) => [r.status, r.retryAfter]),
      [
        [429, '7'],
        [503, undefined],
      ],
    );
  });
});
