/**
 * The process-wide Telemetry, set up once when this module is loaded: the SDK's correlation
 * hooks must exist before the first Functions handler runs, so this is never done lazily inside
 * an invocation. With no APPLICATIONINSIGHTS_CONNECTION_STRING it is the no-op sink and the SDK
 * is never loaded.
 */
import type { Environment } from '../environment.js';
import { createAppInsightsTelemetry } from './app-insights-telemetry.js';
import { noopTelemetry } from './noop-telemetry.js';
import { registerSecretsFromEnvironment } from './redact.js';
import type { Telemetry } from './telemetry.js';

/** Settings this layer reads. */
export const TELEMETRY_SETTINGS = {
  connectionString: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
  /** `true` keeps the SDK from buffering unsent items on disk (tests, read-only file systems). */
  disableOfflineStorage: 'TELEMETRY_DISABLE_OFFLINE_STORAGE',
} as const;

export type TelemetryEnvironment = Environment;

/**
 * Builds the Telemetry the environment asks for, and registers the environment's secret values
 * (IDENTITY_HEADER, certificate password, …) for redaction in either case.
 */
export function createTelemetryFromEnvironment(env: TelemetryEnvironment): Telemetry {
  registerSecretsFromEnvironment(env);
  const connectionString = env[TELEMETRY_SETTINGS.connectionString]?.trim();
  if (connectionString === undefined || connectionString === '') return noopTelemetry;
  return createAppInsightsTelemetry({
    connectionString,
    disableOfflineStorage: env[TELEMETRY_SETTINGS.disableOfflineStorage]?.trim().toLowerCase() === 'true',
  });
}

const telemetry: Telemetry = createTelemetryFromEnvironment(process.env);

/** The process-wide Telemetry (Application Insights when configured, else no-op). */
export function getTelemetry(): Telemetry {
  return telemetry;
}

/** Sends whatever is buffered, within a bounded time; never rejects. For appTerminate, CLIs and tests. */
export function flushTelemetry(): Promise<void> {
  return telemetry.flush();
}
