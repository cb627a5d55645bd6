/**
 * The Telemetry port on the real `applicationinsights` 3.x SDK (OpenTelemetry underneath).
 *
 * - Quiet: only the configured ingestion endpoint is called. Live metrics, statsbeat, SDK stats,
 *   performance counters, standard metrics, HTTP/Azure SDK/database instrumentation and console
 *   collection are off (see QUIET_ENVIRONMENT and configure()).
 * - Correlated: each item is raised inside the OpenTelemetry context of its invocation's
 *   traceparent, so the exporter writes `ai.operation.id`/`ai.operation.parentId` that match the
 *   Functions host's own request telemetry.
 * - Harmless: every call is synchronous enqueueing wrapped in try/catch; export happens in the
 *   background, so an ingestion endpoint that is down, slow or answering 500 never fails or slows
 *   the work. `flush()` is bounded and never rejects.
 *
 * The SDK is loaded with `require` when this adapter is created, never at import: with its
 * OpenTelemetry stack it takes about two seconds to load, which the no-op path must not pay; the
 * runtime creates it after the first token (deferred-telemetry.ts).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as OpenTelemetryApiModule from '@opentelemetry/api';
import type * as AppInsightsModule from 'applicationinsights';
import type { InvocationInfo } from '../auth/events.js';
import { currentInvocation as ambientInvocation } from '../invocation.js';
import { redactError, redactProperties, toRedactedErrorObject } from './redact.js';
import type { Telemetry, TelemetryProperties } from './telemetry.js';
import { createTokenCacheMetrics } from './token-cache-metrics.js';
import { mapTokenEvent, propertiesOfError, type TelemetryItem } from './token-event-mapping.js';

type AppInsightsSdk = typeof AppInsightsModule;
type OpenTelemetryApi = typeof OpenTelemetryApiModule;
type TelemetryClient = AppInsightsModule.TelemetryClient;
type CorrelationContext = ReturnType<AppInsightsSdk['startOperation']>;

/** The OpenTelemetry meter (instrumentation scope) of the token cache metrics. */
export const METER_NAME = 'resilient-daemon-functions';

/** Long enough for one export round trip; short enough for `appTerminate` and CLI exits. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 5_000;

/**
 * Settings the SDK reads only from the environment, set before `start()` unless the user set
 * them (all are read when the exporter is built): `APPLICATION_INSIGHTS_NO_STATSBEAT` turns off all statsbeat (network statsbeat to
 * Microsoft's own statsbeat resource every 15 min, long-interval statsbeat, and the IMDS lookup
 * statsbeat does for the resource provider); `APPLICATIONINSIGHTS_STATSBEAT_DISABLED` only turns
 * off the non-essential part; SDK stats would send item counts to the customer resource.
 */
export const QUIET_ENVIRONMENT: Readonly<Record<string, string>> = {
  APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
  APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
  APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
  APPLICATION_INSIGHTS_NO_STANDARD_METRICS: 'disable',
  // The `_OTELRESOURCE_` metric copies host attributes into the resource once per export.
  APPLICATIONINSIGHTS_OPENTELEMETRY_RESOURCE_METRIC_DISABLED: 'true',
};

export interface AppInsightsTelemetryOptions {
  connectionString: string;
  /** No on-disk retry buffer (tests; read-only file systems). Default: the SDK's buffer stays on. */
  disableOfflineStorage?: boolean;
  flushTimeoutMs?: number;
  /** The ambient invocation for items raised without one (default: src/invocation.ts). */
  currentInvocation?: () => InvocationInfo | undefined;
  /** Environment the quiet settings are written to (default: process.env). */
  environment?: Record<string, string | undefined>;
}

const requireCjs = createRequire(import.meta.url);

function configure(sdk: AppInsightsSdk, options: AppInsightsTelemetryOptions): TelemetryClient {
  const environment = options.environment ?? process.env;
  for (const [name, value] of Object.entries(QUIET_ENVIRONMENT)) environment[name] ??= value;
  if (sdk.defaultClient) return sdk.defaultClient; // someone in this process set it up already: never twice
  const off = { enabled: false };
  sdk
    .setup(options.connectionString)
    .setAutoCollectConsole(false, false)
    .setAutoCollectExceptions(false)
    .setAutoCollectPerformance(false, false)
    .setAutoCollectPreAggregatedMetrics(false)
    .setAutoCollectRequests(false)
    .setAutoCollectDependencies(false)
    .setSendLiveMetrics(false)
    .setUseDiskRetryCaching(options.disableOfflineStorage !== true)
    .setAzureMonitorOptions({
      enableLiveMetrics: false,
      enableStandardMetrics: false,
      enablePerformanceCounters: false,
      // Every token failure matters: no rate-limited sampling (the distro's default is 5 traces/s).
      tracesPerSecond: 0,
      samplingRatio: 1,
      instrumentationOptions: {
        http: off,
        azureSdk: off,
        mongoDb: off,
        mySql: off,
        postgreSql: off,
        redis: off,
        redis4: off,
        bunyan: off,
        winston: off,
        console: off,
      },
    })
    .start();
  return sdk.defaultClient;
}

/** A W3C span id for items whose invocation carried a trace id but no parent span id. */
const randomSpanId = (): string => randomBytes(8).toString('hex');

export function createAppInsightsTelemetry(options: AppInsightsTelemetryOptions): Telemetry {
  const sdk = requireCjs('applicationinsights') as AppInsightsSdk;
  // The OpenTelemetry API the SDK itself resolves: its context manager is the one that counts.
  const otel = createRequire(requireCjs.resolve('applicationinsights'))('@opentelemetry/api') as OpenTelemetryApi;
  const client = configure(sdk, options);
  // The meter of the provider the SDK registered globally (so only after configure): its reader
  // runs the observable callbacks at each export and on flush.
  const cacheMetrics = createTokenCacheMetrics(otel.metrics.getMeter(METER_NAME));
  const currentInvocation = options.currentInvocation ?? ambientInvocation;
  const flushTimeoutMs = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;

  /**
   * Runs `work` inside the invocation's trace context, so the exporter tags the item with its
   * operation id; background items run in no trace context at all, whichever invocation's is
   * active where they were raised (a refresh a caller's request started runs in its context).
   */
  const inOperation = (item: TelemetryItem, work: () => void): void => {
    const invocation = item.invocation;
    if (item.background === true) {
      otel.context.with(otel.ROOT_CONTEXT, work);
      return;
    }
    if (invocation?.operationId === undefined) {
      work();
      return;
    }
    // A W3C span context (sampled): the SDK makes it the active OpenTelemetry context for `work`.
    const spanContext = { traceId: invocation.operationId, spanId: invocation.parentId ?? randomSpanId(), traceFlags: 1 };
    const correlation: CorrelationContext = sdk.startOperation(spanContext);
    if (correlation === null) work();
    else sdk.wrapWithCorrelationContext(work, correlation)();
  };

  /** Telemetry must never break the work that raised it. */
  const safely = (work: () => void): void => {
    try {
      work();
    } catch {
      // The SDK failed to set up (it already logged why through its own diagnostics); drop the item.
    }
  };

  const send = (item: TelemetryItem): void => {
    safely(() =>
      inOperation(item, () => {
        switch (item.kind) {
          case 'exception': {
            const facts = redactError(item.error);
            client.trackException({
              exception: toRedactedErrorObject(item.error),
              severity: item.severity === 'Error' ? sdk.KnownSeverityLevel.Error : sdk.KnownSeverityLevel.Warning,
              properties: redactProperties({ ...item.properties, causeChain: facts.causeChain }),
            });
            return;
          }
          case 'dependency':
            client.trackDependency({
              name: item.name,
              target: item.target,
              data: item.data,
              dependencyTypeName: 'HTTP',
              duration: item.durationMs,
              resultCode: item.resultCode,
              success: item.success,
              // The exporter recognises an HTTP dependency (type, target, result code) by its method attribute.
              properties: { ...redactProperties(item.properties), 'http.method': item.method },
            });
            return;
          case 'event':
            client.trackEvent({ name: item.name, properties: redactProperties(item.properties) });
            return;
          case 'metric':
            client.trackMetric({ name: item.name, value: item.value, properties: redactProperties(item.properties) });
            return;
        }
      }),
    );
  };

  return {
    onTokenEvent(event) {
      safely(() => {
        for (const item of mapTokenEvent(event, currentInvocation())) send(item);
      });
    },
    observeTokenCache(provider) {
      return cacheMetrics.observe(provider);
    },
    trackEvent(name, properties, invocation) {
      const owner = invocation ?? currentInvocation();
      send({ kind: 'event', name, invocation: owner, properties: withInvocation(properties, owner) });
    },
    trackException(error, properties, invocation) {
      const owner = invocation ?? currentInvocation();
      send({
        kind: 'exception',
        error,
        severity: 'Error',
        invocation: owner,
        properties: { ...propertiesOfError(error, owner), ...stringify(properties) },
      });
    },
    trackMetric(name, value, properties, invocation) {
      send({ kind: 'metric', name, value, invocation: invocation ?? currentInvocation(), properties: stringify(properties) });
    },
    async flush() {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, flushTimeoutMs);
        timer.unref();
      });
      try {
        await Promise.race([client.flush().catch(() => undefined), deadline]);
      } catch {
        // flush() never rejects: a failed export is the exporter's business, not the caller's.
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function stringify(properties: TelemetryProperties | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties ?? {})) if (value !== undefined) result[key] = String(value);
  return result;
}

function withInvocation(properties: TelemetryProperties | undefined, invocation: InvocationInfo | undefined): Record<string, string> {
  const result = stringify(properties);
  if (invocation !== undefined) {
    result.invocationId ??= invocation.invocationId;
    if (invocation.functionName !== undefined) result.functionName ??= invocation.functionName;
  }
  return result;
}
