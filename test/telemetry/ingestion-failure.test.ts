/**
 * An exporter failure never fails or slows the work that raised the telemetry. The bound is
 * measured inside the child (slowest track call, flush time), not as a wall-clock race.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIngestionServer, type IngestionServer } from '../../src/sandbox/ingestion/index.js';
import { runNodeScript } from '../support/child-process.js';
import { unusedPort } from '../../src/sandbox/ports.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { lastJsonLine, syntheticChild } from './support/child-fixture.js';

interface UnderFaultResult {
  done: boolean;
  slowestTrackMs: number;
  flushMs: number;
  flushTimeoutMs: number;
}

/** Generous for a loaded 2-core CI box; a blocking export would take seconds (TLS, retries, timeouts). */
const TRACK_CALL_BOUND_MS = 250;
const FLUSH_SLACK_MS = 1_000;

async function runUnderFault(ca: TestCa, connectionString: string): Promise<UnderFaultResult> {
  const child = await runNodeScript(syntheticChild, {
    args: ['under-fault'],
    timeoutMs: 30_000,
    env: { NODE_EXTRA_CA_CERTS: ca.caCertPath, APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString, TELEMETRY_DISABLE_OFFLINE_STORAGE: 'true', TEST_ROUNDS: '50' },
  });
  assert.equal(child.code, 0, `child failed: ${child.stderr}`);
  return lastJsonLine<UnderFaultResult>(child.stdout);
}

function assertUnaffected(result: UnderFaultResult): void {
  assert.equal(result.done, true, 'every round of work resolved');
  assert.ok(result.slowestTrackMs < TRACK_CALL_BOUND_MS, `slowest track call took ${result.slowestTrackMs} ms`);
  assert.ok(result.flushMs < result.flushTimeoutMs + FLUSH_SLACK_MS, `flush took ${result.flushMs} ms`);
}

describe('ingestion failures never reach the work', () => {
  let ca: TestCa;
  let server: IngestionServer;

  before(async () => {
    ca = createTestCa();
    server = await startIngestionServer({ tls: { cert: ca.serverCertPem, key: ca.serverKeyPem } });
  });

  after(async () => {
    await server?.stop();
    ca?.cleanup();
  });

  it('ingestion endpoint down (connection refused): the work completes, track calls stay cheap', async () => {
    const port = await unusedPort();
    assertUnaffected(await runUnderFault(ca, `InstrumentationKey=${server.instrumentationKey};IngestionEndpoint=https://127.0.0.1:${port}/`));
  });

  it('ingestion answering 500: the work completes and the export was really attempted', async () => {
    server.failWith(500);
    const before = server.requests.length;
    assertUnaffected(await runUnderFault(ca, server.connectionString));
    const attempts = server.requests.slice(before);
    assert.ok(attempts.length > 0 && attempts.every((r) => r.answeredWith === 500), JSON.stringify(attempts));
  });

  it('ingestion hanging without an answer: the work completes and flush returns within its bound', async () => {
    server.hang();
    const before = server.requests.length;
    assertUnaffected(await runUnderFault(ca, server.connectionString));
    assert.ok(server.requests.slice(before).some((r) => r.answeredWith === 'hung'));
    server.failWith(undefined);
  });
});
