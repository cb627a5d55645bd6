/**
 * One gate per identity. A failure closes it: until `Retry-After` when the platform sent one
 * (authoritative, RFC 9110), otherwise for the next exponential back-off step (first >= 5 s).
 * While it is closed no code path sends a request for that identity; callers holding a valid
 * token keep it, callers without one fail fast with the error that closed the gate.
 */
import type { Backoff } from './backoff.js';
import { throttleWithoutRetryAfterMs } from './defaults.js';
import { TokenError } from './errors.js';

export class RetryAfterGate {
  private closedUntil = 0;
  private consecutiveFailures = 0;
  private lastError: TokenError | undefined;

  constructor(private readonly backoff: Backoff) {}

  isOpen(now: number): boolean {
    return now >= this.closedUntil;
  }

  /** When the next request may be sent (0 when the gate is open). */
  opensAt(): number {
    return this.closedUntil;
  }

  /** Closes the gate after `error`; returns when it opens again. */
  recordFailure(error: TokenError, now: number): number {
    this.consecutiveFailures += 1;
    this.lastError = error;
    const backoffMs = this.backoff(this.consecutiveFailures);
    let waitMs: number;
    if (error.retryAfterMs !== undefined) {
      waitMs = error.retryAfterMs;
    } else if (error.code === 'throttled') {
      waitMs = Math.max(backoffMs, throttleWithoutRetryAfterMs);
    } else {
      // Non-retryable errors (a bad certificate) back off too: hammering the platform with a
      // request per invocation would only get the identity throttled on top.
      waitMs = backoffMs;
    }
    this.closedUntil = Math.max(this.closedUntil, now + waitMs);
    return this.closedUntil;
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.closedUntil = 0;
    this.lastError = undefined;
  }

  /** The error a caller without a valid token gets while the gate is closed. */
  rejection(now: number): TokenError {
    const remaining = Math.max(0, this.closedUntil - now);
    const last = this.lastError;
    if (!last) {
      return new TokenError('throttled', `Token requests are paused for ${Math.ceil(remaining / 1000)} s.`, {
        retryAfterMs: remaining,
        retryAt: this.closedUntil,
        retryable: true,
      });
    }
    const message =
      last.code === 'throttled'
        ? `The identity platform throttled this identity; no request is sent before ${new Date(this.closedUntil).toISOString()} (Retry-After). Last failure: ${last.message}`
        : `${last.message} Token requests for this identity are paused until ${new Date(this.closedUntil).toISOString()} (back-off).`;
    return new TokenError(last.code, message, { ...last.details(), retryAfterMs: remaining, retryAt: this.closedUntil, cause: last });
  }
}
