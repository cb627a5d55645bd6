/**
 * Every token failure is a TokenError with a stable `code`: callers branch on the code,
 * telemetry queries filter on it, and support engineers read the correlation ids off it.
 */

export type TokenErrorCode =
  /** Connection refused/reset, DNS, no route or timeout while reaching the managed-identity endpoint. */
  | 'managed_identity_unreachable_network'
  /** The managed-identity endpoint answered with an error status or a body we cannot use. */
  | 'managed_identity_failed_response'
  /** HTTP 429: the gate for this identity is closed until `retryAfterMs` has passed. */
  | 'throttled'
  /** HTTP 5xx from the Entra token endpoint. */
  | 'identity_platform_unavailable'
  /** Connection failure or timeout reaching the Entra token endpoint. */
  | 'identity_platform_unreachable'
  /** Bad, expired or unregistered client certificate; unknown client (AADSTS7000xx, invalid_client). */
  | 'invalid_client_credential'
  /** The scope is not `<resource>/.default`, or the platform rejected it (AADSTS70011, AADSTS500011). */
  | 'invalid_scope'
  /** Any other rejected token request (4xx) that retrying will not fix. */
  | 'token_request_rejected'
  /** A setting is missing or wrong; the message names it. */
  | 'configuration_error';

export type CredentialSource = 'managed-identity' | 'certificate';

export interface TokenErrorDetails {
  status?: number | undefined;
  retryAfterMs?: number | undefined;
  /** Clock time (ms since epoch) from which a new request may be sent for this identity. */
  retryAt?: number | undefined;
  retryable?: boolean | undefined;
  source?: CredentialSource | undefined;
  scope?: string | undefined;
  /** The setting a configuration error is about, e.g. `AZURE_CLIENT_CERTIFICATE_PATH`. */
  setting?: string | undefined;
  correlationId?: string | undefined;
  traceId?: string | undefined;
  errorCodes?: number[] | undefined;
  /** The identity platform's `error` field, e.g. `invalid_client`. */
  platformError?: string | undefined;
  requestId?: string | undefined;
  clientRequestId?: string | undefined;
  invocationId?: string | undefined;
  cause?: unknown;
}

const TOKEN_ERROR_BRAND = Symbol.for('resilient-daemon-functions.TokenError');

export class TokenError extends Error {
  override readonly name = 'TokenError';
  readonly code: TokenErrorCode;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly retryAt: number | undefined;
  readonly retryable: boolean;
  readonly source: CredentialSource | undefined;
  readonly scope: string | undefined;
  readonly setting: string | undefined;
  readonly correlationId: string | undefined;
  readonly traceId: string | undefined;
  readonly errorCodes: number[] | undefined;
  readonly platformError: string | undefined;
  readonly requestId: string | undefined;
  readonly clientRequestId: string | undefined;
  invocationId: string | undefined;

  constructor(code: TokenErrorCode, message: string, details: TokenErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.retryAt = details.retryAt;
    this.retryable = details.retryable ?? false;
    this.source = details.source;
    this.scope = details.scope;
    this.setting = details.setting;
    this.correlationId = details.correlationId;
    this.traceId = details.traceId;
    this.errorCodes = details.errorCodes;
    this.platformError = details.platformError;
    this.requestId = details.requestId;
    this.clientRequestId = details.clientRequestId;
    this.invocationId = details.invocationId;
    Object.defineProperty(this, TOKEN_ERROR_BRAND, { value: true });
  }

  /** The same failure seen by another caller: fresh stack, same facts. */
  withInvocation(invocationId: string | undefined): TokenError {
    const copy = new TokenError(this.code, this.message, { ...this.details(), cause: this.cause });
    copy.invocationId = invocationId;
    return copy;
  }

  /** The same failure, stamped with when the next request for it will be sent. */
  withRetryAt(retryAt: number, now: number): TokenError {
    const copy = new TokenError(this.code, this.message, { ...this.details(), retryAt, retryAfterMs: Math.max(0, retryAt - now), cause: this.cause });
    return copy;
  }

  details(): TokenErrorDetails {
    return {
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      retryAt: this.retryAt,
      retryable: this.retryable,
      source: this.source,
      scope: this.scope,
      setting: this.setting,
      correlationId: this.correlationId,
      traceId: this.traceId,
      errorCodes: this.errorCodes,
      platformError: this.platformError,
      requestId: this.requestId,
      clientRequestId: this.clientRequestId,
      invocationId: this.invocationId,
    };
  }

  /** Plain fields for logs and telemetry; never includes the cause (it may quote secrets). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...this.details() };
  }
}

/** Works across duplicated module copies (two installs of this package in one process). */
export function isTokenError(value: unknown): value is TokenError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TOKEN_ERROR_BRAND] === true;
}

export function configurationError(setting: string, message: string, cause?: unknown): TokenError {
  return new TokenError('configuration_error', `${message} (setting: ${setting})`, { setting, retryable: false, cause });
}
