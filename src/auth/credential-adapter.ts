/**
 * `@azure/core-auth` TokenCredential over the provider, so SecretClient, tedious and every Azure
 * SDK client share one cache and one gate with the rest of the instance.
 */
import type { AccessToken, GetTokenOptions as SdkGetTokenOptions, TokenCredential } from '@azure/core-auth';
import { TokenError } from './errors.js';
import type { TokenProvider } from './types.js';

export function createTokenCredential(provider: Pick<TokenProvider, 'getToken' | 'source'>): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: SdkGetTokenOptions): Promise<AccessToken> {
      const list = Array.isArray(scopes) ? scopes : [scopes];
      if (list.length !== 1 || list[0] === undefined) {
        throw new TokenError('invalid_scope', `Exactly one '<resource>/.default' scope per request; got ${list.length}.`, { retryable: false, source: provider.source });
      }
      const token = await provider.getToken(list[0], { signal: options?.abortSignal as AbortSignal | undefined });
      return { token: token.token, expiresOnTimestamp: token.expiresOnTimestamp, refreshAfterTimestamp: token.refreshAfterTimestamp, tokenType: 'Bearer' };
    },
  };
}
