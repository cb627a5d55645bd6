import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InvocationInfo, TokenEvent } from '../../src/auth/events.js';
import { createDeferredTelemetry } from '../../src/telemetry/deferred-telemetry.js';
import type { Telemetry } from '../../src/telemetry/telemetry.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A stand-in adapter that records each call with the invocation it would report. */
function recorder() {
  const calls: { what: string; invocation: string | undefined }[] = [];
  let created = 0;
  const create = (current: () => InvocationInfo | undefined): Telemetry => {
    created += 1;
    const note = (what: string, explicit?: InvocationInfo): void => {
      calls.push({ what, invocation: (explicit ?? current())?.invocationId });
    };
    return {
      onTokenEvent: (event) => note(event.type),
      trackEvent: (name, _properties, invocation) => note(name, invocation),
      trackException: (_error, _properties, invocation) => note('exception', invocation),
      trackMetric: (name, _value, _properties, invocation) => note(name, invocation),
      observeTokenCache: () => {
        note('observeTokenCache');
        return () => undefined;
      },
      flush: () => Promise.resolve(),
    };
  };
  return { calls, create, created: () => created };
}

const event = (type: 'cache-miss' | 'acquired'): TokenEvent => ({ type, scope: 's', source: 'managed-identity', durationMs: 1, expiresOnTimestamp: 0, refreshAfterTimestamp: 0, background: false }) as unknown as TokenEvent;

describe('deferred telemetry', () => {
  it('builds no SDK before the first acquisition ends, then replays every call in order', async () => {
    let ambient: InvocationInfo | undefined = { invocationId: 'first' };
    const sink = recorder();
    const telemetry = createDeferredTelemetry({ create: sink.create, currentInvocation: () => ambient });
    telemetry.onTokenEvent(event('cache-miss'));
    telemetry.trackEvent('started');
    telemetry.onTokenEvent(event('acquired'));
    assert.equal(sink.created(), 0, 'the SDK waits until the caller has its token');
    ambient = { invocationId: 'later' };
    await nextTurn();
    assert.equal(sink.created(), 1);
    assert.deepEqual(sink.calls, [
      { what: 'cache-miss', invocation: 'first' },
      { what: 'started', invocation: 'first' },
      { what: 'acquired', invocation: 'first' },
    ]);
  });

  it('passes calls straight through once the SDK is up', async () => {
    const sink = recorder();
    const telemetry = createDeferredTelemetry({ create: sink.create, currentInvocation: () => ({ invocationId: 'now' }) });
    await telemetry.flush();
    telemetry.trackMetric('m', 1);
    assert.deepEqual(sink.calls, [{ what: 'm', invocation: 'now' }]);
    assert.equal(sink.created(), 1);
  });

  it('flush starts the SDK, so nothing raised before it is left behind', async () => {
    const sink = recorder();
    const telemetry = createDeferredTelemetry({ create: sink.create, currentInvocation: () => undefined });
    telemetry.trackException(new Error('x'));
    await telemetry.flush();
    assert.deepEqual(sink.calls, [{ what: 'exception', invocation: undefined }]);
  });

  it('an SDK that fails to set up leaves a no-op sink, never an exception', async () => {
    const telemetry = createDeferredTelemetry({
      create: () => {
        throw new Error('bad connection string');
      },
    });
    telemetry.onTokenEvent(event('acquired'));
    await nextTurn();
    telemetry.trackEvent('after');
    await telemetry.flush();
  });
});
