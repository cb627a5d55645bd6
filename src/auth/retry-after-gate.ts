/**
 * A gate closes after a failure: until `Retry-After` when the platform sent a usable one
 * (authoritative, RFC 9110: the gate opens exactly then, not later; capped at an hour), otherwise
 * for the next exponential back-off step, whose first step is at least 5 s, so no answer, not
 * even `Retry-After: 0`, can produce a fast loop. While it is closed no code path sends a request
 * through it; callers holding a valid token keep it, callers without one fail fast with the error
 * that closed it.
 *
 * The provider keeps one gate per identity (throttling and outages: they affect every scope) and
 * one per cache key (failures only that scope can cause, such as an unknown resource).
 */
import type { Backoff } from './backoff.js';
import { maxRetryAfterMs } from './defaults.js';
import { TokenError } from './errors.js';

/** The wait a failure imposes: the platform's Retry-After when usable, else the back-off step. */
export function gateWaitMs(retryAfterMs: number | undefined, backoffStepMs: () => number): number {
  // Sources already drop 0, negative and unparseable values; this guards a TokenError built by hand.
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0) return Math.min(retryAfterMs, maxRetryAfterMs);
  return backoffStepMs();
}

export class RetryAfterGate {
  private closedUntil = 0;
  private consecutiveFailures = 0;
  /** Counts failures; a request remembers the count when it is sent. */
  private failuresRecorded = 0;
  private lastError: TokenError | undefined;

  constructor(private readonly backoff: Backoff) {}

  isOpen(now: number): boolean {
    return now >= this.closedUntil;
  }

  /** When the next request may be sent (0 when the gate has never closed). */
  opensAt(): number {
    return this.closedUntil;
  }

  /** Closes the gate after `error`; returns when it opens again. */
  recordFailure(error: TokenError, now: number): number {
    this.consecutiveFailures += 1;
    this.failuresRecorded += 1;
    this.lastError = error;
    const waitMs = gateWaitMs(error.retryAfterMs, () => this.backoff(this.consecutiveFailures));
    // Two failures in flight at once (two scopes): no request before the later of the two.
    this.closedUntil = Math.max(this.closedUntil, now + waitMs);
    return this.closedUntil;
  }

  /** Taken when a request is sent and handed back to `recordSuccess`. */
  epoch(): number {
    return this.failuresRecorded;
  }

  /**
   * A success reopens the gate only if no failure was recorded after its request was sent: a
   * slow 200 sent before a 429 must not cut the platform's Retry-After short.
   */
  recordSuccess(sentAtEpoch: number): void {
    if (sentAtEpoch !== this.failuresRecorded) return;
    this.consecutiveFailures = 0;
    this.closedUntil = 0;
    this.lastError = undefined;
  }

  /** The error a caller without a valid token gets while the gate is closed. */
  rejection(now: number, scope: string): TokenError {
    const remaining = Math.max(0, this.closedUntil - now);
    const opens = new Date(this.closedUntil).toISOString();
    const last = this.lastError;
    if (!last) {
      return new TokenError('throttled', `Token requests are paused until ${opens}.`, { scope, retryAfterMs: remaining, retryAt: this.closedUntil, retryable: true });
    }
    const message =
      last.code === 'throttled'
        ? `The identity platform throttled this identity; no request is sent before ${opens} (Retry-After). Last answer: ${last.message}`
        : `${last.message} Token requests are paused until ${opens} (back-off).`;
    return new TokenError(last.code, message, { ...last.details(), scope, retryAfterMs: remaining, retryAt: this.closedUntil, cause: last });
  }
}
