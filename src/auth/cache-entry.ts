/**
 * One cache key of the provider: the token it holds, the request in flight, its own gate and the
 * counters that the telemetry adapter reads at export time. A hit only increments a number here:
 * no event, no allocation, so a cached getToken stays cheap with telemetry on.
 */
import type { AccessToken } from '@azure/core-auth';
import type { CredentialSource } from './errors.js';
import type { RetryAfterGate } from './retry-after-gate.js';
import type { ProviderToken, ScopeCacheStats } from './types.js';

export interface CachedToken {
  token: string;
  expiresOnTimestamp: number;
  /** First arrival of this token string; the same token answered again keeps it. */
  firstReceivedAt: number;
  refreshAfterTimestamp: number;
  /** Last moment the token is handed out: expiry minus the safety skew. */
  servableUntil: number;
  /** Least time between two requests for this key while this token is valid. */
  floorMs: number;
  /** Every caller served this token from the cache shares one frozen result (made on the first hit). */
  served?: Promise<ProviderToken> | undefined;
  /** The same for the TokenCredential adapter. */
  servedToSdk?: Promise<AccessToken> | undefined;
}

export interface CacheEntry {
  scope: string;
  cached?: CachedToken | undefined;
  /** The one request in flight for this key (single flight), foreground or background. */
  pending?: Promise<CachedToken> | undefined;
  /** When the last request for this key was sent: the refresh floor counts from it. */
  lastSentAt?: number | undefined;
  cancelTimer?: (() => void) | undefined;
  /**
   * Whether a caller was served since the current token arrived. A background refresh is sent only
   * then (a failed one keeps the demand and retries): refresh ahead serves callers, and without one
   * it would only feed itself, e.g. a 1-second token refreshed every half second for ever.
   */
  servedSinceArrival: boolean;
  /** When the planned background refresh (cancelTimer's) fires. */
  refreshPlannedAt?: number | undefined;
  /** Closed by failures only this scope can cause (an unknown resource, a rejected scope). */
  gate: RetryAfterGate;
  /** Calls served from the cache, since the provider was created. */
  hits: number;
  coldMisses: number;
  expiredMisses: number;
}

export function newCacheEntry(scope: string, gate: RetryAfterGate): CacheEntry {
  return { scope, gate, servedSinceArrival: false, hits: 0, coldMisses: 0, expiredMisses: 0 };
}

/** What a caller gets. Frozen: one object is handed to every caller served this token. */
export function providerToken(cached: CachedToken, source: CredentialSource, fromCache: boolean): ProviderToken {
  return Object.freeze({
    token: cached.token,
    expiresOnTimestamp: cached.expiresOnTimestamp,
    refreshAfterTimestamp: cached.refreshAfterTimestamp,
    source,
    fromCache,
  });
}

/** `@azure/core-auth`'s view of a token. */
export function accessToken(token: Pick<ProviderToken, 'token' | 'expiresOnTimestamp' | 'refreshAfterTimestamp'>): AccessToken {
  return Object.freeze({ token: token.token, expiresOnTimestamp: token.expiresOnTimestamp, refreshAfterTimestamp: token.refreshAfterTimestamp, tokenType: 'Bearer' as const });
}

/** The cache-hit result of `cached`, made once and shared (a resolved promise is immutable). */
export function servedFromCache(cached: CachedToken, source: CredentialSource): Promise<ProviderToken> {
  cached.served ??= Promise.resolve(providerToken(cached, source, true));
  return cached.served;
}

export function servedToSdk(cached: CachedToken): Promise<AccessToken> {
  cached.servedToSdk ??= Promise.resolve(accessToken(cached));
  return cached.servedToSdk;
}

export function scopeStats(entry: CacheEntry): ScopeCacheStats {
  return {
    scope: entry.scope,
    hits: entry.hits,
    coldMisses: entry.coldMisses,
    expiredMisses: entry.expiredMisses,
    expiresOnTimestamp: entry.cached?.expiresOnTimestamp,
  };
}
