import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { TokenError } from '../../src/auth/errors.js';

const sdkLoaded = (): boolean => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('/node_modules/applicationinsights/'));

describe('telemetry without APPLICATIONINSIGHTS_CONNECTION_STRING', () => {
  it('is the no-op sink, set up at module load, and never loads the SDK', async () => {
    delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
    const runtime = await import('../../src/telemetry/runtime-telemetry.js');
    const { noopTelemetry } = await import('../../src/telemetry/noop-telemetry.js');
    assert.equal(runtime.getTelemetry(), noopTelemetry);
    assert.equal(runtime.createTelemetryFromEnvironment({ APPLICATIONINSIGHTS_CONNECTION_STRING: '  ' }), noopTelemetry);
    runtime.getTelemetry().onTokenEvent({ type: 'failed', at: 0, source: 'certificate', identity: 'i', scope: 's/.default', error: new TokenError('throttled', 't') });
    runtime.getTelemetry().trackException(new Error('x'));
    await runtime.flushTelemetry();
    assert.equal(sdkLoaded(), false);
  });

  it('registers the environment secrets for redaction even when telemetry is off (logs still need them)', async () => {
    const { createTelemetryFromEnvironment } = await import('../../src/telemetry/runtime-telemetry.js');
    const { redactText } = await import('../../src/telemetry/redact.js');
    createTelemetryFromEnvironment({ IDENTITY_HEADER: 'header-secret-9f8e7d' });
    assert.equal(redactText('sent header-secret-9f8e7d'), 'sent [REDACTED]');
  });
});
