/**
 * The telemetry settings fail at start-up, naming the setting, instead of the SDK silently
 * accepting a connection string it will never deliver to.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppSettingError } from '../../src/settings/setting-error.js';
import { createTelemetryFromEnvironment } from '../../src/telemetry/runtime-telemetry.js';
import { readTelemetrySettings } from '../../src/telemetry/telemetry-settings.js';

const key = '11111111-2222-3333-4444-555555555555';
const name = 'APPLICATIONINSIGHTS_CONNECTION_STRING';

describe('telemetry settings', () => {
  it('accepts the portal form, any key case, extra keys and a trailing semicolon', () => {
    for (const value of [`InstrumentationKey=${key};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://x/;ApplicationId=abc`, `instrumentationkey=${key};`, ` InstrumentationKey = ${key} `]) {
      assert.equal(readTelemetrySettings({ [name]: value }).connectionString, value.trim());
    }
    assert.deepEqual(readTelemetrySettings({ [name]: '  ' }), { connectionString: undefined, disableOfflineStorage: false });
  });

  for (const [value, why] of [
    ['garbage', 'not key=value pairs'],
    ['InstrumentationKey=;IngestionEndpoint=https://x/', 'an empty key'],
    [`IngestionEndpoint=https://127.0.0.1:9`, 'no InstrumentationKey'],
    [`InstrumentationKey=not-a-guid`, 'a key that is not a GUID'],
    [`InstrumentationKey=${key};IngestionEndpoint=ftp://x`, 'an endpoint that is not http(s)'],
    [`InstrumentationKey=${key};IngestionEndpoint=::`, 'an endpoint that is not a URL'],
  ] as const) {
    it(`a connection string with ${why} is a start-up error naming ${name}, without quoting it`, () => {
      assert.throws(() => createTelemetryFromEnvironment({ [name]: value }), (error: unknown) => error instanceof AppSettingError && error.setting === name && !error.message.includes(value));
    });
  }

  it('TELEMETRY_DISABLE_OFFLINE_STORAGE is true/false/1/0, anything else names it', () => {
    assert.equal(readTelemetrySettings({ TELEMETRY_DISABLE_OFFLINE_STORAGE: 'TRUE' }).disableOfflineStorage, true);
    assert.equal(readTelemetrySettings({ TELEMETRY_DISABLE_OFFLINE_STORAGE: '0' }).disableOfflineStorage, false);
    assert.throws(() => readTelemetrySettings({ TELEMETRY_DISABLE_OFFLINE_STORAGE: 'yes' }), { setting: 'TELEMETRY_DISABLE_OFFLINE_STORAGE' });
  });
});
