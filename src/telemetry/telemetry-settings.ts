/**
 * The two telemetry settings, read and checked once at start-up. The Application Insights SDK
 * takes any connection string without a word (`garbage`, an empty InstrumentationKey) and then
 * drops every item, so a typo would silence telemetry for good; here it is a start-up error
 * naming the setting, like every other setting.
 */
import type { Environment } from '../environment.js';
import { AppSettingError, appSettingReader } from '../settings/setting-error.js';

export const TELEMETRY_SETTINGS = {
  connectionString: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
  /** `true` keeps the SDK from buffering unsent items on disk (tests, read-only file systems). */
  disableOfflineStorage: 'TELEMETRY_DISABLE_OFFLINE_STORAGE',
} as const;

export interface TelemetrySettings {
  /** Undefined when unset or blank: telemetry is off. */
  connectionString: string | undefined;
  disableOfflineStorage: boolean;
}

const guidPattern = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

/** `Key=Value;…` as the portal shows it; keys are case-insensitive, empty segments (a trailing `;`) allowed. */
function connectionStringFields(value: string): Map<string, string> | undefined {
  const fields = new Map<string, string>();
  for (const segment of value.split(';')) {
    if (segment.trim() === '') continue;
    const at = segment.indexOf('=');
    if (at <= 0) return undefined;
    fields.set(segment.slice(0, at).trim().toLowerCase(), segment.slice(at + 1).trim());
  }
  return fields;
}

function checkedConnectionString(value: string): string {
  const name = TELEMETRY_SETTINGS.connectionString;
  const fields = connectionStringFields(value);
  // The value itself is never quoted back: it is configuration people paste into tickets, but it is not ours to print.
  if (!fields) throw new AppSettingError(name, `${name} must be the resource's connection string, 'InstrumentationKey=<guid>;IngestionEndpoint=https://…' (copy it from the Application Insights overview)`);
  if (!guidPattern.test(fields.get('instrumentationkey') ?? '')) throw new AppSettingError(name, `${name} must hold InstrumentationKey=<GUID>`);
  const endpoint = fields.get('ingestionendpoint');
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new AppSettingError(name, `${name} has an IngestionEndpoint that is not an http(s) URL`);
  }
  return value;
}

export function readTelemetrySettings(env: Environment): TelemetrySettings {
  const settings = appSettingReader(env);
  const raw = settings.read(TELEMETRY_SETTINGS.connectionString);
  return {
    connectionString: raw === undefined ? undefined : checkedConnectionString(raw),
    disableOfflineStorage: settings.boolean(TELEMETRY_SETTINGS.disableOfflineStorage, false),
  };
}
