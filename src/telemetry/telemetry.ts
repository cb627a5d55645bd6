/**
 * The Telemetry port. The token provider and the jobs depend on this, never on the
 * Application Insights SDK; src/telemetry/ holds the adapters (Application Insights, no-op).
 */
import type { InvocationInfo, TokenEventSink } from '../auth/events.js';

export type TelemetryProperties = Record<string, string | number | boolean | undefined>;

export interface Telemetry {
  /** Sink for the token provider's typed events. */
  readonly onTokenEvent: TokenEventSink;
  trackEvent(name: string, properties?: TelemetryProperties, invocation?: InvocationInfo): void;
  trackException(error: unknown, properties?: TelemetryProperties, invocation?: InvocationInfo): void;
  trackMetric(name: string, value: number, properties?: TelemetryProperties, invocation?: InvocationInfo): void;
  /** Sends whatever is buffered; never rejects. */
  flush(): Promise<void>;
}
