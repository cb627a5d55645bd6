/**
 * Classifies a failed certificate-flow acquisition from what actually crossed the wire (the
 * recorded exchange), not from @azure/identity's error wrapper, which reports 400, 429 and 500
 * alike and hides the status and ids on `cause`.
 */
import { TokenError } from './errors.js';
import { deadlinePassed, networkErrorCode } from './network-errors.js';
import { parseJsonObject, readErrorBody, safeDescription } from './platform-response.js';
import type { RecordedExchange } from './recording-http-client.js';
import { parseRetryAfterMs } from './retry-after.js';

/** AADSTS codes that mean "this client's credential is wrong", not "try again". */
const clientCredentialCodes = new Set([700016, 700027, 7000215, 7000222, 700023, 700024, 50012, 7000112, 700025]);
const scopeCodes = new Set([70011, 500011, 650057]);
/**
 * AADSTS codes that reject the assertion's key (unknown, expired or revoked certificate, invalid
 * signature): Microsoft.Identity.Web reloads the certificate and retries once on these.
 */
const assertionKeyCodes = new Set([700027, 700024, 7000214, 1000502, 7000274, 7000277]);

/** True when Entra rejected the client assertion for its key, so a rotated certificate may fix it. */
export function rejectedForItsKey(error: TokenError): boolean {
  const rejected = error.status !== undefined && error.status >= 400 && error.status < 500;
  return rejected && (error.errorCodes ?? []).some((code) => assertionKeyCodes.has(code));
}

export interface CertificateFailure {
  error: unknown;
  /** Every exchange of the failed acquisition, in order. */
  exchanges: readonly RecordedExchange[];
  scope: string;
  signal: AbortSignal;
  now: number;
}

/**
 * The exchange that explains the failure: the token request when it was sent; before it, only an
 * exchange that failed (discovery unanswered or refused). A discovery 200 followed by an error is
 * MSAL failing locally, e.g. unable to sign the assertion, and must not read as the platform's 200.
 */
function explainingExchange(exchanges: readonly RecordedExchange[]): RecordedExchange | undefined {
  const tokenRequest = exchanges.findLast((exchange) => exchange.name.startsWith('POST '));
  if (tokenRequest) return tokenRequest;
  const last = exchanges.at(-1);
  return last && !last.success ? last : undefined;
}

export function classifyCertificateFailure(failure: CertificateFailure): TokenError {
  const { error, exchanges, scope, signal, now } = failure;
  const exchange = explainingExchange(exchanges);
  const base = { source: 'certificate' as const, scope, clientRequestId: (exchange ?? exchanges.at(-1))?.clientRequestId, cause: error };

  if (!exchange || exchange.status === undefined) {
    if (exchange || signal.aborted || networkErrorCode(error)) {
      const timedOut = deadlinePassed(signal);
      const where = exchange ? new URL(exchange.url).origin : 'the authority host';
      const why = timedOut ? 'did not answer before the request deadline' : `could not be reached (${networkErrorCode(error) ?? 'network error'})`;
      return new TokenError('identity_platform_unreachable', `The identity platform at ${where} ${why}. Check AZURE_AUTHORITY_HOST and outbound network access.`, { ...base, retryable: true });
    }
    // No token request was sent: MSAL rejected the certificate or could not sign with its key.
    const detail = safeDescription(error instanceof Error ? error.message : String(error));
    return new TokenError(
      'invalid_client_credential',
      `The client certificate could not be used to sign the client assertion (no token request was sent): ${detail}. Check AZURE_CLIENT_CERTIFICATE_PATH (an RSA key of 2048 bits or more) and AZURE_CLIENT_CERTIFICATE_PASSWORD.`,
      { ...base, retryable: false },
    );
  }

  const status = exchange.status;
  const ids = readErrorBody(parseJsonObject(exchange.bodyText ?? ''));
  const details = {
    ...base,
    status,
    requestId: exchange.requestId,
    correlationId: ids.correlationId,
    traceId: ids.traceId,
    errorCodes: ids.errorCodes,
    platformError: ids.error,
    retryAfterMs: parseRetryAfterMs(exchange.retryAfter, now),
  };
  const detail = safeDescription(ids.description) ?? `HTTP ${status}`;
  if (status === 429) return new TokenError('throttled', `The identity platform throttled this client (HTTP 429): ${detail}`, { ...details, retryable: true });
  if (status >= 500 || status === 408) {
    return new TokenError('identity_platform_unavailable', `The identity platform answered HTTP ${status}: ${detail}`, { ...details, retryable: true });
  }
  if (status >= 200 && status < 300) {
    return new TokenError('identity_platform_unavailable', `The identity platform answered ${status} with a body that could not be used.`, { ...details, retryable: true });
  }
  const codes = ids.errorCodes ?? [];
  if (ids.error === 'invalid_scope' || codes.some((c) => scopeCodes.has(c))) {
    return new TokenError('invalid_scope', `The identity platform rejected the scope ${scope}: ${detail}. Use '<resource>/.default' for a resource this app has permissions on.`, { ...details, retryable: false });
  }
  if (ids.error === 'invalid_client' || ids.error === 'unauthorized_client' || codes.some((c) => clientCredentialCodes.has(c))) {
    return new TokenError('invalid_client_credential', `The identity platform rejected the client credential: ${detail}. Check AZURE_TENANT_ID, AZURE_CLIENT_ID and that this certificate is registered on the app and not expired.`, { ...details, retryable: false });
  }
  return new TokenError('token_request_rejected', `The identity platform rejected the token request (HTTP ${status}): ${detail}`, { ...details, retryable: false });
}
