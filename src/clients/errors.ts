/**
 * Failures of the Key Vault and SQL adapters as values with a stable `code`. Jobs branch on
 * `retryable`: the queue worker rethrows so the host retries; the sweep waits and goes on.
 * Messages never quote secret values, tokens or SQL parameters.
 */
import { isTokenError, type TokenError } from '../auth/errors.js';

export type DependencyErrorCode =
  /** HTTP 429 from Key Vault; `retryAfterMs` says when to call again (every caller in the process waits). */
  | 'vault_throttled'
  /** 5xx, timeout or connection failure reaching Key Vault. */
  | 'vault_unavailable'
  /** 401/403/404 or another answer retrying will not change (missing role assignment, unknown secret). */
  | 'vault_rejected'
  /** The database could not be reached or the connection broke (includes failed sign-in with a token). */
  | 'sql_unavailable'
  /** The database rejected the statement (schema missing, permission). */
  | 'sql_rejected'
  /** The database refused the data itself (a value it cannot hold): retrying the same input cannot help. */
  | 'sql_bad_input'
  /** The token provider could not produce a token (its TokenError is the cause). */
  | 'token_unavailable';

export type Dependency = 'key-vault' | 'sql' | 'identity';

const BRAND = Symbol.for('resilient-daemon-functions.DependencyError');

export class DependencyError extends Error {
  override readonly name = 'DependencyError';
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;

  constructor(
    readonly code: DependencyErrorCode,
    readonly dependency: Dependency,
    message: string,
    details: { retryable: boolean; status?: number; retryAfterMs?: number; requestId?: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.retryable = details.retryable;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.requestId = details.requestId;
    Object.defineProperty(this, BRAND, { value: true });
  }

  toJSON(): Record<string, unknown> {
    const { name, code, dependency, message, retryable, status, retryAfterMs, requestId } = this;
    return { name, code, dependency, message, retryable, status, retryAfterMs, requestId };
  }
}

export function isDependencyError(value: unknown): value is DependencyError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** A token failure may arrive bare or wrapped by an Azure SDK pipeline: find it. */
export function findTokenError(error: unknown, depth = 0): TokenError | undefined {
  if (isTokenError(error)) return error;
  if (depth < 4 && error instanceof Error && error.cause !== undefined) return findTokenError(error.cause, depth + 1);
  return undefined;
}

export function tokenUnavailable(error: unknown, scope: string): DependencyError {
  const tokenError = findTokenError(error);
  return new DependencyError('token_unavailable', 'identity', `No token for ${scope}: ${tokenError?.code ?? 'unknown error'}`, {
    retryable: tokenError?.retryable ?? true,
    retryAfterMs: tokenError?.retryAfterMs,
    cause: error,
  });
}

/** Whether retrying later could succeed: transient dependency and token failures. */
export function isTransient(error: unknown): boolean {
  if (isDependencyError(error)) return error.retryable;
  const tokenError = findTokenError(error);
  if (tokenError) return tokenError.retryable;
  return true;
}

/** Safe, secret-free fields of any failure, for logs and telemetry properties. */
export function describeFailure(error: unknown): Record<string, string | number | boolean | undefined> {
  if (isDependencyError(error)) {
    return { errorCode: error.code, dependency: error.dependency, retryable: error.retryable, status: error.status, retryAfterMs: error.retryAfterMs, requestId: error.requestId };
  }
  const tokenError = findTokenError(error);
  if (tokenError) {
    return { errorCode: tokenError.code, dependency: 'identity', retryable: tokenError.retryable, status: tokenError.status, correlationId: tokenError.correlationId };
  }
  return { errorCode: 'unexpected', errorName: error instanceof Error ? error.name : typeof error };
}
