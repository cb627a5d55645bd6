/**
 * The module-scope singletons of a warm instance. Built once per process, on first use, from
 * the environment; functions/ touch them at module load so misconfiguration fails at start-up.
 */
import { credentialSettingsFromEnvironment, positiveIntegerSetting } from './auth/credential-settings.js';
import { createTokenProvider } from './auth/create-provider.js';
import type { TokenEventSink } from './auth/events.js';
import type { TokenProvider } from './auth/types.js';
import { currentInvocation } from './invocation.js';

let tokenProvider: TokenProvider | undefined;

export function tokenEventSinkForRuntime(): TokenEventSink | undefined {
  return undefined;
}

export function getTokenProvider(): TokenProvider {
  tokenProvider ??= createTokenProvider({
    credential: credentialSettingsFromEnvironment(process.env),
    requestTimeoutMs: positiveIntegerSetting(process.env, 'TOKEN_REQUEST_TIMEOUT_MS'),
    events: tokenEventSinkForRuntime(),
    currentInvocation,
  });
  return tokenProvider;
}
