/** The public face of the token provider. */
import type { AccessToken, GetTokenOptions as SdkGetTokenOptions, TokenCredential } from '@azure/core-auth';
import type { CredentialSource } from './errors.js';

/** Frozen: every caller served the same cached token shares one object. */
export interface ProviderToken {
  readonly token: string;
  readonly expiresOnTimestamp: number;
  readonly refreshAfterTimestamp: number;
  readonly source: CredentialSource;
  readonly fromCache: boolean;
}

export interface GetTokenOptions {
  signal?: AbortSignal | undefined;
  /** Functions invocation id to attach to errors and telemetry (defaults to the ambient invocation). */
  invocationId?: string | undefined;
  /**
   * How long this caller can wait, when it holds no valid token and the gate is closed, for the
   * gate to open (default: the provider's `defaultMaxWaitMs`, normally 0: fail fast). If the gate
   * opens within it, the caller waits (its `signal` ends the wait) and joins the one request sent
   * when it opens; otherwise it fails fast as usual. It bounds the wait only: the request that
   * follows has its own deadline.
   */
  maxWaitMs?: number | undefined;
  /**
   * A token the resource has just refused (a database sign-in failed with it). It is not served
   * from the cache again: the platform is asked, through the same gate and single flight. A
   * platform that hands the same token back gets it served; the caller's next refusal is its own.
   */
  refusedToken?: string | undefined;
}

/** core-auth's options, plus `maxWaitMs` for code that calls the credential itself. */
export type CredentialGetTokenOptions = SdkGetTokenOptions & Pick<GetTokenOptions, 'maxWaitMs'>;

/** The provider as a core-auth TokenCredential: one `<resource>/.default` scope per call. */
export interface ProviderCredential extends TokenCredential {
  getToken(scopes: string | string[], options?: CredentialGetTokenOptions): Promise<AccessToken>;
}

/** One cache key's counters since the provider was created, and the token it holds. */
export interface ScopeCacheStats {
  readonly scope: string;
  /** Calls served from the cache. */
  readonly hits: number;
  /** Calls that found no token. */
  readonly coldMisses: number;
  /** Calls that found only a token too close to (or past) its expiry to serve. */
  readonly expiredMisses: number;
  /** Expiry of the token held, or undefined when none is. */
  readonly expiresOnTimestamp: number | undefined;
}

/** A snapshot of the provider's cache, read on demand (telemetry reads it at export time). */
export interface TokenCacheStats {
  readonly identity: string;
  readonly source: CredentialSource;
  /** Clock time of the snapshot: seconds to expiry are counted from it. */
  readonly at: number;
  readonly scopes: readonly ScopeCacheStats[];
}

export interface TokenProvider {
  getToken(scope: string, options?: GetTokenOptions): Promise<ProviderToken>;
  /** `@azure/core-auth` TokenCredential over the same cache and gate, for Azure SDK clients. */
  readonly credential: ProviderCredential;
  readonly source: CredentialSource;
  /** Non-secret name of the identity, used as the cache and gate key. */
  readonly identity: string;
  /** Hits, misses and the expiry of the token held, per scope. Cheap; holds no token. */
  cacheStats(): TokenCacheStats;
  /** Cancels background refresh timers (for tests and short-lived processes). */
  close(): void;
}
