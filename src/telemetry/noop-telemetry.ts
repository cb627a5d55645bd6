/**
 * The sink used when Application Insights is not configured: every call returns at once and
 * nothing is loaded (the SDK and OpenTelemetry take about two seconds to import).
 */
import type { Telemetry } from './telemetry.js';

const nothing = (): void => undefined;

export const noopTelemetry: Telemetry = Object.freeze({
  onTokenEvent: nothing,
  observeTokenCache: () => nothing,
  trackEvent: nothing,
  trackException: nothing,
  trackMetric: nothing,
  flush: () => Promise.resolve(),
});
