/**
 * The Telemetry port. The token provider and the jobs depend on this, never on the
 * Application Insights SDK; src/telemetry/ holds the adapters (Application Insights, no-op).
 */
import type { InvocationInfo, TokenEventSink } from '../auth/events.js';
import type { TokenCacheStats } from '../auth/types.js';

export type TelemetryProperties = Record<string, string | number | boolean | undefined>;

/** Anything that can tell its cache statistics: a token provider. */
export interface TokenCacheStatsSource {
  cacheStats(): TokenCacheStats;
}

export interface Telemetry {
  /** Sink for the token provider's typed events. */
  readonly onTokenEvent: TokenEventSink;
  /**
   * Reports the provider's cache hits, misses and seconds to expiry as metrics, read at export
   * time, until the returned function is called (the counts so far stay reported).
   */
  observeTokenCache(provider: TokenCacheStatsSource): () => void;
  trackEvent(name: string, properties?: TelemetryProperties, invocation?: InvocationInfo): void;
  trackException(error: unknown, properties?: TelemetryProperties, invocation?: InvocationInfo): void;
  trackMetric(name: string, value: number, properties?: TelemetryProperties, invocation?: InvocationInfo): void;
  /** Sends whatever is buffered; never rejects. */
  flush(): Promise<void>;
}
