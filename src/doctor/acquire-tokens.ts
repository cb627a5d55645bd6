/**
 * One token acquisition per scope through the real provider, built as the app builds it
 * (createTokenProvider with the settings read from configuration), one scope after the other so
 * that a gate closed by the first failure shows on the next. What happened on the wire comes
 * from the provider's own events; the token itself is dropped the moment it arrives.
 */
import { createTokenProvider } from '../auth/create-provider.js';
import type { CredentialSettings } from '../auth/credential-settings.js';
import { isTokenError, TokenError, type CredentialSource } from '../auth/errors.js';
import type { TokenEvent } from '../auth/events.js';
import type { DateObservation } from './clock-skew.js';
import { observingHttpClient, observingTransport } from './observing-http.js';
import type { RequestFact } from './report.js';

export type TokenAttempt = { scope: string; durationMs: number; requests: RequestFact[] } & (
  | { ok: true; source: CredentialSource; expiresOnTimestamp: number }
  | { ok: false; error: TokenError; requestSent: boolean }
);

export interface AcquireOptions {
  credential: CredentialSettings;
  scopes: readonly string[];
  requestTimeoutMs?: number | undefined;
  /** Extra trust for the identity endpoints (PEM), when NODE_EXTRA_CA_CERTS came from local.settings.json. */
  trustedCa?: string | undefined;
}

export interface AcquireOutcome {
  attempts: TokenAttempt[];
  dates: DateObservation[];
}

function requestsOf(events: readonly TokenEvent[], scope: string): RequestFact[] {
  return events.flatMap((event) =>
    event.type === 'identity-request' && event.scope === scope
      ? [{ name: event.name, target: event.target, status: event.status, durationMs: event.durationMs, requestId: event.requestId, clientRequestId: event.clientRequestId }]
      : [],
  );
}

export async function acquireTokens(options: AcquireOptions): Promise<AcquireOutcome> {
  const events: TokenEvent[] = [];
  const dates: DateObservation[] = [];
  const record = (observation: DateObservation): void => void dates.push(observation);
  const provider = createTokenProvider({
    credential: options.credential,
    requestTimeoutMs: options.requestTimeoutMs,
    events: (event) => events.push(event),
    trustedCa: options.trustedCa,
    httpTransport: observingTransport(record, options.trustedCa),
    sdkHttpClient: observingHttpClient(record),
  });
  const attempts: TokenAttempt[] = [];
  try {
    for (const scope of options.scopes) {
      const started = Date.now();
      try {
        const token = await provider.getToken(scope);
        attempts.push({ scope, ok: true, source: token.source, expiresOnTimestamp: token.expiresOnTimestamp, durationMs: Date.now() - started, requests: requestsOf(events, scope) });
      } catch (caught) {
        const error = isTokenError(caught)
          ? caught
          : new TokenError(options.credential.kind === 'managed-identity' ? 'managed_identity_failed_response' : 'identity_platform_unavailable', 'The token request failed unexpectedly.', { scope });
        const failed = events.findLast((event) => event.type === 'failed' && event.scope === scope);
        const requestSent = failed?.type === 'failed' ? failed.requestSent !== false : true;
        attempts.push({ scope, ok: false, error, requestSent, durationMs: Date.now() - started, requests: requestsOf(events, scope) });
      }
    }
  } finally {
    provider.close();
  }
  return { attempts, dates };
}
