/** The public face of the token provider. */
import type { TokenCredential } from '@azure/core-auth';
import type { CredentialSource } from './errors.js';

export interface ProviderToken {
  token: string;
  expiresOnTimestamp: number;
  refreshAfterTimestamp: number;
  source: CredentialSource;
  fromCache: boolean;
}

export interface GetTokenOptions {
  signal?: AbortSignal | undefined;
  /** Functions invocation id to attach to errors and telemetry (defaults to the ambient invocation). */
  invocationId?: string | undefined;
}

export interface TokenProvider {
  getToken(scope: string, options?: GetTokenOptions): Promise<ProviderToken>;
  /** `@azure/core-auth` TokenCredential over the same cache and gate, for Azure SDK clients. */
  readonly credential: TokenCredential;
  readonly source: CredentialSource;
  /** Non-secret name of the identity, used as the cache and gate key. */
  readonly identity: string;
  /** Cancels background refresh timers (for tests and short-lived processes). */
  close(): void;
}
