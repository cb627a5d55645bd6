export type { Telemetry, TelemetryProperties } from './telemetry.js';
export { noopTelemetry } from './noop-telemetry.js';
export { createAppInsightsTelemetry, DEFAULT_FLUSH_TIMEOUT_MS, QUIET_ENVIRONMENT, type AppInsightsTelemetryOptions } from './app-insights-telemetry.js';
export { createTelemetryFromEnvironment, flushTelemetry, getTelemetry, TELEMETRY_SETTINGS, type TelemetryEnvironment } from './runtime-telemetry.js';
export { REDACTED, redactError, redactProperties, redactText, registerSecret, registerSecretsFromEnvironment, SECRET_SETTINGS } from './redact.js';
export {
  DEPENDENCY_TYPE,
  ERROR_PROPERTY_NAMES,
  EVENT_NAMES,
  METRIC_NAMES,
  mapTokenEvent,
  type ErrorPropertyName,
  type TelemetryItem,
} from './token-event-mapping.js';
