/**
 * From the token provider's typed events to Application Insights items. Pure: no SDK, no I/O,
 * so the contract below is tested without a socket.
 *
 * The property names are a contract: users write KQL against `customDimensions.<name>`, so a
 * rename is a breaking change. Every failure item carries all of ERROR_PROPERTY_NAMES, with an
 * empty string where the fact is unknown, so that queries never need `isnotempty` guards.
 */
import type { InvocationInfo, TokenEvent } from '../auth/events.js';
import { isTokenError, type TokenError } from '../auth/errors.js';

export const ERROR_PROPERTY_NAMES = [
  'errorCode',
  'credentialSource',
  'scope',
  'status',
  'retryable',
  'retryAfterMs',
  'correlationId',
  'traceId',
  'requestId',
  'clientRequestId',
  'invocationId',
  'functionName',
] as const;

export type ErrorPropertyName = (typeof ERROR_PROPERTY_NAMES)[number];

export const EVENT_NAMES = { throttled: 'TokenThrottled', refreshFailed: 'TokenRefreshFailed' } as const;
/** Read from the provider's counters at export time (token-cache-metrics.ts), not mapped from events. */
export const METRIC_NAMES = {
  cacheHit: 'TokenCacheHit',
  cacheMiss: 'TokenCacheMiss',
  secondsToExpiry: 'TokenSecondsToExpiry',
} as const;
export const DEPENDENCY_TYPE = 'HTTP';

export type ItemProperties = Record<string, string>;

interface ItemBase {
  properties: ItemProperties;
  /** The invocation the item belongs to; undefined for work outside any invocation. */
  invocation: InvocationInfo | undefined;
  /**
   * Background work (a refresh): it belongs to no invocation, so it must not pick up whatever
   * invocation or trace context happens to be active where it is raised.
   */
  background?: boolean | undefined;
}

export interface ExceptionItem extends ItemBase {
  kind: 'exception';
  error: unknown;
  severity: 'Error' | 'Warning';
}

export interface DependencyItem extends ItemBase {
  kind: 'dependency';
  name: string;
  /** HTTP method, from the first word of the event name (`GET` when it names none). */
  method: string;
  /** `host[:port]` of the identity endpoint. */
  target: string;
  /** The endpoint URL without query string; the exporter derives the dependency's name from its path. */
  data: string;
  durationMs: number;
  /** HTTP status, or `'0'` when no response arrived (refused, reset, timeout). */
  resultCode: string;
  success: boolean;
}

export interface EventItem extends ItemBase {
  kind: 'event';
  name: string;
}

export interface MetricItem extends ItemBase {
  kind: 'metric';
  name: string;
  value: number;
}

export type TelemetryItem = ExceptionItem | DependencyItem | EventItem | MetricItem;

const text = (value: string | number | boolean | undefined): string => (value === undefined ? '' : String(value));

const HTTP_METHOD = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/i;

function methodOf(name: string): string {
  return HTTP_METHOD.exec(name)?.[1]?.toUpperCase() ?? 'GET';
}

function targetHost(target: string): string {
  try {
    return new URL(target).host;
  } catch {
    return target;
  }
}

/**
 * The endpoint URL, without query string, from the exchange's origin and its `METHOD /path`
 * name. It must carry the path: the exporter names an HTTP dependency `METHOD <path of its
 * URL>`, whatever name it is given, so an origin alone was exported as `GET /`.
 */
function endpointUrl(target: string, name: string): string {
  const path = name.slice(name.indexOf(' ') + 1);
  try {
    return new URL(path.startsWith('/') ? path : '/', target).href;
  } catch {
    return target;
  }
}

/** The contract properties of a failure, filled from the error and the invocation it happened in. */
export function errorProperties(error: TokenError, invocation: InvocationInfo | undefined): Record<ErrorPropertyName, string> {
  return {
    errorCode: error.code,
    credentialSource: text(error.source),
    scope: text(error.scope),
    status: text(error.status),
    retryable: text(error.retryable),
    retryAfterMs: text(error.retryAfterMs),
    correlationId: text(error.correlationId),
    traceId: text(error.traceId),
    requestId: text(error.requestId),
    clientRequestId: text(error.clientRequestId),
    invocationId: text(error.invocationId ?? invocation?.invocationId),
    functionName: text(invocation?.functionName),
  };
}

/** Facts worth a column that are not part of the guaranteed contract. */
function extraErrorProperties(error: TokenError): ItemProperties {
  const extra: ItemProperties = {};
  if (error.errorCodes !== undefined && error.errorCodes.length > 0) extra.platformErrorCodes = error.errorCodes.join(',');
  if (error.platformError !== undefined) extra.platformError = error.platformError;
  if (error.setting !== undefined) extra.setting = error.setting;
  return extra;
}

function commonProperties(event: TokenEvent, invocation: InvocationInfo | undefined): ItemProperties {
  return {
    tokenEvent: event.type,
    credentialSource: event.source,
    identity: event.identity,
    scope: event.scope,
    invocationId: text(invocation?.invocationId),
    functionName: text(invocation?.functionName),
  };
}

function failureProperties(event: TokenEvent, error: TokenError, invocation: InvocationInfo | undefined): ItemProperties {
  const fromError = errorProperties(error, invocation);
  // The event knows the source and scope even when the error was raised before they were set.
  if (fromError.credentialSource === '') fromError.credentialSource = event.source;
  if (fromError.scope === '') fromError.scope = event.scope;
  return { ...commonProperties(event, invocation), ...fromError, ...extraErrorProperties(error) };
}

/** A refresh failure is always background work; the other events say whether they are. */
function isBackground(event: TokenEvent): boolean {
  return event.type === 'refresh-failed' || ('background' in event && event.background);
}

/**
 * Maps one event to the items that represent it. `ambient` is the invocation to use when the
 * event does not name one (never used for background work: a refresh started inside an
 * invocation, or by a caller's request, must not be charged to it).
 */
export function mapTokenEvent(event: TokenEvent, ambient?: InvocationInfo): TelemetryItem[] {
  const background = isBackground(event);
  const invocation = background ? undefined : (event.invocation ?? ambient);
  const base = { invocation, background };
  switch (event.type) {
    case 'identity-request':
      return [
        {
          ...base,
          kind: 'dependency',
          name: event.name,
          method: methodOf(event.name),
          target: targetHost(event.target),
          data: endpointUrl(event.target, event.name),
          durationMs: event.durationMs,
          resultCode: text(event.status ?? 0),
          success: event.success,
          properties: {
            ...commonProperties(event, invocation),
            requestId: text(event.requestId),
            clientRequestId: text(event.clientRequestId),
            background: String(event.background),
          },
        },
      ];
    // Hits, misses and seconds to expiry are counted by the provider and read at export time
    // (token-cache-metrics.ts): an item per call would cost every getToken the SDK's pipeline.
    case 'acquired':
    case 'refreshed':
    case 'served-from-cache':
    case 'cache-miss':
      return [];
    case 'throttled':
      return [
        {
          ...base,
          kind: 'event',
          name: EVENT_NAMES.throttled,
          properties: {
            ...failureProperties(event, event.error, invocation),
            retryAfterMs: text(event.retryAfterMs),
            gateOpensAt: new Date(event.gateOpensAt).toISOString(),
          },
        },
      ];
    case 'refresh-failed': {
      const properties = {
        ...failureProperties(event, event.error, invocation),
        tokenExpiresOn: new Date(event.tokenExpiresOnTimestamp).toISOString(),
        nextAttemptAt: new Date(event.nextAttemptAt).toISOString(),
      };
      // The cached token still serves callers, so the exception is a warning; it is still an
      // exception so that one query over `exceptions` finds every failed acquisition.
      return [
        { ...base, kind: 'event', name: EVENT_NAMES.refreshFailed, properties },
        { ...base, kind: 'exception', error: event.error, severity: 'Warning', properties },
      ];
    }
    case 'failed':
      return [
        {
          ...base,
          kind: 'exception',
          error: event.error,
          severity: 'Error',
          // `requestSent=false`: the caller failed fast on a closed gate, no request was made for it.
          properties: { ...failureProperties(event, event.error, invocation), requestSent: String(event.requestSent ?? true) },
        },
      ];
  }
}

/** Properties for an arbitrary error handed to `trackException` (a TokenError gets the full contract). */
export function propertiesOfError(error: unknown, invocation: InvocationInfo | undefined): ItemProperties {
  if (!isTokenError(error)) return { invocationId: text(invocation?.invocationId), functionName: text(invocation?.functionName) };
  return { ...errorProperties(error, invocation), ...extraErrorProperties(error) };
}
