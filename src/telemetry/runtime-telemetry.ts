/**
 * The process-wide Telemetry, created once when this module is loaded. The SDK itself starts
 * right after the first token (deferred-telemetry.ts), off the cold-start path; what is raised
 * before then is replayed with its invocation, so correlation does not depend on when it starts.
 * With no APPLICATIONINSIGHTS_CONNECTION_STRING it is the no-op sink and the SDK is never loaded.
 */
import type { Environment } from '../environment.js';
import { createAppInsightsTelemetry } from './app-insights-telemetry.js';
import { createDeferredTelemetry } from './deferred-telemetry.js';
import { noopTelemetry } from './noop-telemetry.js';
import { registerSecretsFromEnvironment } from './redact.js';
import type { Telemetry } from './telemetry.js';
import { readTelemetrySettings } from './telemetry-settings.js';

export { TELEMETRY_SETTINGS } from './telemetry-settings.js';

export type TelemetryEnvironment = Environment;

/**
 * Builds the Telemetry the environment asks for, and registers the environment's secret values
 * (IDENTITY_HEADER, certificate password, …) for redaction in either case.
 */
export function createTelemetryFromEnvironment(env: TelemetryEnvironment): Telemetry {
  registerSecretsFromEnvironment(env);
  // A malformed setting fails here, when the module loads: a start-up error naming it.
  const { connectionString, disableOfflineStorage } = readTelemetrySettings(env);
  if (connectionString === undefined) return noopTelemetry;
  return createDeferredTelemetry({
    create: (currentInvocation) => createAppInsightsTelemetry({ connectionString, disableOfflineStorage, currentInvocation }),
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
