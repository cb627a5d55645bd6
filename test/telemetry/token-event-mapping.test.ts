import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InvocationInfo, TokenEvent } from '../../src/auth/events.js';
import { TokenError } from '../../src/auth/errors.js';
import { ERROR_PROPERTY_NAMES, EVENT_NAMES, mapTokenEvent, type TelemetryItem } from '../../src/telemetry/token-event-mapping.js';

const at = Date.UTC(2025, 0, 1);
const invocation: InvocationInfo = { invocationId: 'inv-1', functionName: 'queueWorker', operationId: 'a'.repeat(32), parentId: 'b'.repeat(16) };
const ambient: InvocationInfo = { invocationId: 'inv-ambient', functionName: 'timer' };
const base = { at, source: 'managed-identity' as const, identity: 'managed-identity:system', scope: 'https://vault.azure.net/.default' };

const error = new TokenError('throttled', 'throttled', {
  status: 429,
  retryAfterMs: 7000,
  retryable: true,
  source: 'managed-identity',
  scope: base.scope,
  correlationId: 'corr-1',
  traceId: 'trace-1',
  requestId: 'req-1',
  clientRequestId: 'creq-1',
  errorCodes: [90055],
});

const only = (items: TelemetryItem[]): TelemetryItem => {
  assert.equal(items.length, 1);
  return items[0] as TelemetryItem;
};

describe('mapTokenEvent', () => {
  it('a failed acquisition is an exception carrying every contract property', () => {
    const item = only(mapTokenEvent({ ...base, invocation, type: 'failed', error }));
    assert.equal(item.kind, 'exception');
    assert.deepEqual(Object.keys(item.properties).filter((k) => (ERROR_PROPERTY_NAMES as readonly string[]).includes(k)).sort(), [...ERROR_PROPERTY_NAMES].sort());
    assert.deepEqual(
      Object.fromEntries(ERROR_PROPERTY_NAMES.map((name) => [name, item.properties[name]])),
      {
        errorCode: 'throttled',
        credentialSource: 'managed-identity',
        scope: base.scope,
        status: '429',
        retryable: 'true',
        retryAfterMs: '7000',
        correlationId: 'corr-1',
        traceId: 'trace-1',
        requestId: 'req-1',
        clientRequestId: 'creq-1',
        invocationId: 'inv-1',
        functionName: 'queueWorker',
      },
    );
    assert.equal(item.properties.platformErrorCodes, '90055');
    assert.equal(item.invocation, invocation);
  });

  it('unknown facts are empty strings, never missing keys (queries need no isnotempty guards)', () => {
    const bare = new TokenError('managed_identity_unreachable_network', 'refused');
    const item = only(mapTokenEvent({ ...base, type: 'failed', error: bare }));
    for (const name of ERROR_PROPERTY_NAMES) assert.ok(name in item.properties, name);
    assert.equal(item.properties.status, '');
    assert.equal(item.properties.credentialSource, 'managed-identity', 'taken from the event when the error lacks it');
    assert.equal(item.properties.scope, base.scope);
  });

  it('an identity request is an HTTP dependency with host target, result code and success', () => {
    const item = only(
      mapTokenEvent({ ...base, invocation, type: 'identity-request', target: 'http://127.0.0.1:8081', name: 'GET /msi/token', durationMs: 12, status: 500, success: false, requestId: 'r', background: false }),
    );
    assert.equal(item.kind, 'dependency');
    if (item.kind !== 'dependency') return;
    assert.deepEqual(
      { name: item.name, method: item.method, target: item.target, data: item.data, resultCode: item.resultCode, success: item.success, durationMs: item.durationMs },
      { name: 'GET /msi/token', method: 'GET', target: '127.0.0.1:8081', data: 'http://127.0.0.1:8081/msi/token', resultCode: '500', success: false, durationMs: 12 },
    );
  });

  it("the dependency's URL carries the request's path, from which the exporter names it", () => {
    const item = only(mapTokenEvent({ ...base, type: 'identity-request', target: 'https://login.example', name: 'POST /tenant-1/oauth2/v2.0/token', durationMs: 1, status: 200, success: true, background: false }));
    assert.ok(item.kind === 'dependency');
    assert.equal(item.data, 'https://login.example/tenant-1/oauth2/v2.0/token');
  });

  it('a request that got no response has result code 0', () => {
    const item = only(mapTokenEvent({ ...base, type: 'identity-request', target: 'https://login.example', name: 'POST /t/oauth2/v2.0/token', durationMs: 1, success: false, background: false }));
    assert.ok(item.kind === 'dependency' && item.resultCode === '0' && item.method === 'POST');
  });

  it('throttling is an event with the gate time', () => {
    const item = only(mapTokenEvent({ ...base, invocation, type: 'throttled', background: false, retryAfterMs: 7000, gateOpensAt: at + 7000, error }));
    assert.ok(item.kind === 'event' && item.name === EVENT_NAMES.throttled);
    assert.equal(item.properties.gateOpensAt, new Date(at + 7000).toISOString());
    assert.equal(item.properties.errorCode, 'throttled');
  });

  it('a failed refresh is an event and a warning-level exception (one query over exceptions finds every failure)', () => {
    const items = mapTokenEvent({ ...base, type: 'refresh-failed', error, tokenExpiresOnTimestamp: at + 60_000, nextAttemptAt: at + 5000 });
    assert.deepEqual(items.map((i) => i.kind), ['event', 'exception']);
    const [event, exception] = items;
    assert.ok(event?.kind === 'event' && event.name === EVENT_NAMES.refreshFailed);
    assert.ok(exception?.kind === 'exception' && exception.severity === 'Warning');
    assert.equal(exception.properties.tokenExpiresOn, new Date(at + 60_000).toISOString());
  });

  it('hits, misses and acquisitions are no items: their metrics are read from the provider at export time (token-cache-metrics)', () => {
    const events: TokenEvent[] = [
      { ...base, invocation, type: 'served-from-cache', expiresInMs: 90_000 },
      { ...base, invocation, type: 'cache-miss', reason: 'expired' },
      { ...base, invocation, type: 'acquired', durationMs: 5, expiresOnTimestamp: at + 3_600_000, refreshAfterTimestamp: at, background: false },
      { ...base, type: 'refreshed', durationMs: 5, expiresOnTimestamp: at + 3_600_000, refreshAfterTimestamp: at, background: true },
    ];
    for (const event of events) assert.deepEqual(mapTokenEvent(event, ambient), [], event.type);
  });

  it('an event without an invocation takes the ambient one', () => {
    assert.equal(only(mapTokenEvent({ ...base, type: 'failed', error }, ambient)).invocation, ambient);
    assert.equal(only(mapTokenEvent({ ...base, invocation, type: 'failed', error }, ambient)).invocation, invocation, 'the event wins');
  });

  it('background work is never charged to the ambient invocation', () => {
    const event: TokenEvent = { ...base, type: 'identity-request', target: 'http://x', name: 'GET /', durationMs: 1, status: 200, success: true, background: true };
    const item = only(mapTokenEvent(event, ambient));
    assert.equal(item.invocation, undefined);
    assert.equal(item.background, true, 'sent outside any active trace');
  });

  it('a failed refresh is background work: no invocation, ambient or named, and no invocation id property', () => {
    const refreshFailed: TokenEvent = { ...base, invocation, type: 'refresh-failed', error, tokenExpiresOnTimestamp: at + 60_000, nextAttemptAt: at + 5000 };
    for (const item of mapTokenEvent(refreshFailed, ambient)) {
      assert.deepEqual([item.invocation, item.background, item.properties.invocationId, item.properties.functionName], [undefined, true, '', '']);
    }
  });

  it('a throttled background refresh is charged to no invocation; a throttled caller is charged to its own', () => {
    const throttled = { ...base, type: 'throttled' as const, retryAfterMs: 7000, gateOpensAt: at + 7000, error };
    const inBackground = only(mapTokenEvent({ ...throttled, background: true }, ambient));
    assert.deepEqual([inBackground.invocation, inBackground.background, inBackground.properties.invocationId], [undefined, true, '']);
    const forCaller = only(mapTokenEvent({ ...throttled, background: false }, ambient));
    assert.deepEqual([forCaller.invocation, forCaller.background, forCaller.properties.invocationId], [ambient, false, 'inv-ambient']);
  });
});
