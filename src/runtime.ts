/**
 * The module-scope singletons of a warm instance. Built once per process from the environment;
 * functions/ touch them at module load so misconfiguration fails at start-up, not at the first
 * invocation. Telemetry is set up when its module loads (before any handler runs).
 */
import { credentialSettingsFromEnvironment, tokenMaxWaitSetting, tokenRefreshJitterSetting, tokenRequestTimeoutSetting } from './auth/credential-settings.js';
import { createTokenProvider } from './auth/create-provider.js';
import type { TokenProvider } from './auth/types.js';
import { currentInvocation } from './invocation.js';
import { getTelemetry } from './telemetry/runtime-telemetry.js';

let tokenProvider: TokenProvider | undefined;

/** The instance's one token provider: every trigger, job and Azure SDK client shares its cache and gate. */
export function getTokenProvider(): TokenProvider {
  if (tokenProvider === undefined) {
    tokenProvider = createTokenProvider({
      credential: credentialSettingsFromEnvironment(process.env),
      requestTimeoutMs: tokenRequestTimeoutSetting(process.env),
      defaultMaxWaitMs: tokenMaxWaitSetting(process.env),
      refreshJitter: { ratio: tokenRefreshJitterSetting(process.env) },
      events: getTelemetry().onTokenEvent,
      currentInvocation,
    });
    // Hits, misses and seconds to expiry are read from the provider at export time.
    getTelemetry().observeTokenCache(tokenProvider);
  }
  return tokenProvider;
}
