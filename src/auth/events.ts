/**
 * The token provider's observable behaviour as typed events. src/auth emits them to an injected
 * sink; src/telemetry maps them to Application Insights items; tests assert on them directly.
 */
import type { CredentialSource, TokenError } from './errors.js';

/** The Functions invocation a piece of work belongs to, when there is one. */
export interface InvocationInfo {
  invocationId: string;
  functionName?: string | undefined;
  /** W3C trace id of the invocation (from `context.traceContext.traceParent`). */
  operationId?: string | undefined;
  /** Span id of the invocation, used as the parent of items raised inside it. */
  parentId?: string | undefined;
}

interface EventBase {
  /** Clock time the event was raised (ms since epoch). */
  at: number;
  source: CredentialSource;
  /** Stable, non-secret name of the identity, e.g. `managed-identity:system` or `certificate:<tenant>/<client>`. */
  identity: string;
  scope: string;
  invocation?: InvocationInfo | undefined;
}

/** One HTTP exchange with the identity platform, as a token source reports it. */
export interface Exchange {
  /** `https://host[:port]` or `http://127.0.0.1:port` of the endpoint; no query string. */
  target: string;
  /** `METHOD /path`, e.g. `POST /{tenant}/oauth2/v2.0/token`. */
  name: string;
  durationMs: number;
  /** HTTP status, or undefined when no response arrived. */
  status?: number | undefined;
  success: boolean;
  /** The response's `x-ms-request-id`. */
  requestId?: string | undefined;
  /** The `client-request-id` sent. */
  clientRequestId?: string | undefined;
}

/** One HTTP exchange with the identity platform: maps to a dependency item. */
export interface IdentityRequestEvent extends EventBase, Exchange {
  type: 'identity-request';
  background: boolean;
}

interface TokenIssuedBase extends EventBase {
  durationMs: number;
  expiresOnTimestamp: number;
  refreshAfterTimestamp: number;
  background: boolean;
}

/** A token was obtained for a caller that had none (cold or expired). */
export interface AcquiredEvent extends TokenIssuedBase {
  type: 'acquired';
}

/** A token was renewed ahead of expiry in the background. */
export interface RefreshedEvent extends TokenIssuedBase {
  type: 'refreshed';
}

/**
 * A caller was served a cached token. Raised only by a provider created with
 * `cacheHitEvents: true` (tests, the doctor): otherwise a hit is only counted (cacheStats()).
 */
export interface ServedFromCacheEvent extends EventBase {
  type: 'served-from-cache';
  expiresInMs: number;
}

export interface CacheMissEvent extends EventBase {
  type: 'cache-miss';
  reason: 'cold' | 'expired';
}

/** Always background work: it belongs to no invocation. */
export interface RefreshFailedEvent extends EventBase {
  type: 'refresh-failed';
  error: TokenError;
  /** The still-valid token keeps being served until this time. */
  tokenExpiresOnTimestamp: number;
  nextAttemptAt: number;
}

export interface ThrottledEvent extends EventBase {
  type: 'throttled';
  /** True when a background refresh was throttled: it belongs to no invocation. */
  background: boolean;
  retryAfterMs: number;
  gateOpensAt: number;
  error: TokenError;
}

/** A caller's getToken failed (one event per failing caller, with that caller's invocation). */
export interface FailedEvent extends EventBase {
  type: 'failed';
  error: TokenError;
  /** False when the caller failed fast because the gate was closed: no request was sent for it. */
  requestSent?: boolean | undefined;
}

export type TokenEvent =
  | IdentityRequestEvent
  | AcquiredEvent
  | RefreshedEvent
  | ServedFromCacheEvent
  | CacheMissEvent
  | RefreshFailedEvent
  | ThrottledEvent
  | FailedEvent;

export type TokenEventSink = (event: TokenEvent) => void;

export const ignoreEvents: TokenEventSink = () => undefined;
