/**
 * A TokenSource makes one token request to one identity endpoint (the certificate source repeats
 * it once, at once, when a rotated certificate answers Entra's rejection) and reports what
 * happened on the wire. Caching, single flight, the gate and refresh live above it, in provider.ts.
 */
import type { CredentialSource } from './errors.js';
import type { Exchange } from './events.js';

export interface TokenResponse {
  accessToken: string;
  receivedAt: number;
  expiresOnTimestamp: number;
  /** Absolute time from the server's `refresh_in`, when it sent one. */
  serverRefreshAt?: number | undefined;
}

export type { Exchange } from './events.js';

export interface RequestContext {
  /** Aborts at the request deadline (or when the provider closes). */
  signal: AbortSignal;
  report(exchange: Exchange): void;
  /**
   * Called as a request goes out, with the client-request-id it carries: if the deadline passes
   * before the source reports, the provider's own timeout error still names the request in flight.
   */
  sending?(clientRequestId: string | undefined): void;
}

export interface TokenSource {
  readonly kind: CredentialSource;
  /** Non-secret identity name: the cache and gate key. */
  readonly identity: string;
  /** Resolves with a usable token or rejects with a classified TokenError. */
  requestToken(scope: string, context: RequestContext): Promise<TokenResponse>;
}
