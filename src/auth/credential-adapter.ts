/**
 * `@azure/core-auth` TokenCredential over the provider, so SecretClient, tedious and every Azure
 * SDK client share one cache and one gate with the rest of the instance. It asks the provider for
 * an AccessToken directly, so a cache hit hands out one shared frozen object, as getToken does.
 */
import type { AccessToken } from '@azure/core-auth';
import { TokenError, type CredentialSource } from './errors.js';
import type { CredentialGetTokenOptions, GetTokenOptions, ProviderCredential } from './types.js';

export interface AccessTokenProvider {
  readonly source: CredentialSource;
  getAccessToken(scope: string, options?: GetTokenOptions): Promise<AccessToken>;
}

export function createTokenCredential(provider: AccessTokenProvider): ProviderCredential {
  return {
    getToken(scopes: string | string[], options?: CredentialGetTokenOptions): Promise<AccessToken> {
      const scope = typeof scopes === 'string' ? scopes : scopes.length === 1 ? scopes[0] : undefined;
      if (scope === undefined) {
        const count = Array.isArray(scopes) ? scopes.length : 0;
        return Promise.reject(
          new TokenError('invalid_scope', `Exactly one '<resource>/.default' scope per request; got ${count}.`, { retryable: false, source: provider.source }),
        );
      }
      const signal = options?.abortSignal as AbortSignal | undefined;
      const maxWaitMs = options?.maxWaitMs;
      // Azure SDK clients pass options on every call; most carry nothing for us, so no object is built.
      return provider.getAccessToken(scope, signal === undefined && maxWaitMs === undefined ? undefined : { signal, maxWaitMs });
    },
  };
}
