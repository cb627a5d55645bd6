/**
 * A background refresh belongs to no invocation. End to end: the real provider on the real
 * system clock, the real applicationinsights SDK exporting to the capture server. A token is
 * acquired inside an invocation run as the host runs it (our invocation tracking plus the
 * invocation's OpenTelemetry context); after the invocation ends, the refresh that acquisition
 * scheduled fails (503, then 429). What is exported for those failures must not name the
 * invocation, neither as a custom property nor as its operation id.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import { startIngestionServer, type Envelope, type IngestionServer } from '../../src/sandbox/ingestion/index.js';
import { runNodeScript } from '../support/child-process.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import type { BackgroundRefreshReport } from './fixtures/background-refresh-child.js';
import { backgroundRefreshChild, lastJsonLine } from './support/child-fixture.js';

const props = (envelope: Envelope): Record<string, string> => envelope.data?.baseData?.properties ?? {};
const nameOf = (envelope: Envelope): unknown => envelope.data?.baseData?.name;

describe('a failed background refresh is charged to no invocation (exported envelopes)', () => {
  let ca: TestCa;
  let identity: IdentityEmulator;
  let ingestion: IngestionServer;
  let report: BackgroundRefreshReport;

  before(async () => {
    ca = createTestCa();
    identity = await startIdentityEmulator({ ca });
    ingestion = await startIngestionServer({ tls: { cert: ca.serverCertPem, key: ca.serverKeyPem } });
    identity.script('mi', { kind: 'success', refreshInSeconds: 10 }, { kind: 'status', status: 503 }, { kind: 'status', status: 429, retryAfter: '7' });
    const child = await runNodeScript(backgroundRefreshChild, {
      args: ['run'],
      timeoutMs: 45_000,
      env: {
        NODE_EXTRA_CA_CERTS: ca.caCertPath,
        APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
        TELEMETRY_DISABLE_OFFLINE_STORAGE: 'true',
        IDENTITY_HEADER: identity.identityHeader,
        TEST_MI_ENDPOINT: identity.managedIdentityEndpoint,
      },
    });
    assert.equal(child.code, 0, child.stderr);
    report = lastJsonLine<BackgroundRefreshReport>(child.stdout);
  });

  after(async () => {
    await identity?.stop();
    await ingestion?.stop();
    ca?.cleanup();
  });

  const refreshFailureItems = (): Envelope[] =>
    ingestion.envelopes.filter((e) => nameOf(e) === 'TokenThrottled' || nameOf(e) === 'TokenRefreshFailed' || props(e).tokenEvent === 'refresh-failed');

  it('the invocation ran inside its own trace, and its foreground request was charged to it', () => {
    assert.equal(report.traceWasActive, true, 'the host-like OpenTelemetry context was active');
    const foreground = ingestion.envelopes.find((e) => e.data?.baseType === 'RemoteDependencyData' && props(e).background === 'false');
    assert.equal(foreground && props(foreground).invocationId, report.invocationId);
    assert.equal(foreground?.tags?.['ai.operation.id'], report.operationId);
  });

  it('the refresh failed in the background, after the invocation: 503, then 429', () => {
    assert.deepEqual(
      report.events.filter((type) => type === 'refresh-failed' || type === 'throttled'),
      ['refresh-failed', 'throttled', 'refresh-failed'],
    );
    const statuses = ingestion.envelopes.filter((e) => nameOf(e) === 'TokenRefreshFailed').map((e) => props(e).status);
    assert.deepEqual(statuses.sort(), ['429', '503']);
  });

  it('refresh-failed and throttled items carry no invocation id and no function name', () => {
    const items = refreshFailureItems();
    assert.ok(items.length >= 5, `event and warning per failed refresh, one throttled event; got ${items.length}`);
    for (const item of items) {
      assert.equal(props(item).invocationId, '', `${String(nameOf(item))}: invocationId`);
      assert.equal(props(item).functionName, '', `${String(nameOf(item))}: functionName`);
    }
  });

  it("refresh-failed and throttled items do not carry the invocation's operation id", () => {
    for (const item of refreshFailureItems()) assert.notEqual(item.tags?.['ai.operation.id'], report.operationId, String(nameOf(item)));
  });

  it('the background requests are not charged to the invocation either', () => {
    const background = ingestion.envelopes.filter((e) => e.data?.baseType === 'RemoteDependencyData' && props(e).background === 'true');
    assert.ok(background.length >= 2);
    for (const item of background) {
      assert.equal(props(item).invocationId, '');
      assert.notEqual(item.tags?.['ai.operation.id'], report.operationId);
    }
  });
});
