/**
 * When this process may call the vault again. Key Vault throttles per vault, and an outage is the
 * vault's too, so one gate serves every caller: a 429 closes it until `Retry-After` (authoritative,
 * RFC 9110), and a 5xx, timeout or broken connection closes it for an exponential back-off whose
 * first step is at least 5 s (or until the answer's own `Retry-After`). A success resets the steps.
 */
import type { Clock } from '../auth/clock.js';
import { exponentialBackoff, type Backoff } from '../auth/backoff.js';

export class VaultGate {
  #opensAt = 0;
  #outages = 0;
  /** Why the gate last closed, so a refused caller learns the vault's state, not just "wait". */
  #reason: 'throttled' | 'unavailable' = 'throttled';
  readonly #backoff: Backoff;

  constructor(private readonly clock: Pick<Clock, 'now'>, backoff: Backoff = exponentialBackoff()) {
    this.#backoff = backoff;
  }

  /** Milliseconds until the gate opens; 0 when open. */
  waitMs(): number {
    return Math.max(0, this.#opensAt - this.clock.now());
  }

  get reason(): 'throttled' | 'unavailable' {
    return this.#reason;
  }

  /** A 429: closed until `Retry-After` passes. Returns the wait. */
  throttled(retryAfterMs: number): number {
    this.#reason = 'throttled';
    return this.closeFor(retryAfterMs);
  }

  /** No usable answer (5xx, timeout, reset): closed for the answer's Retry-After, else the next back-off step. */
  unavailable(retryAfterMs: number | undefined): number {
    this.#outages += 1;
    this.#reason = 'unavailable';
    return this.closeFor(retryAfterMs ?? this.#backoff(this.#outages));
  }

  succeeded(): void {
    this.#outages = 0;
  }

  private closeFor(ms: number): number {
    this.#opensAt = Math.max(this.#opensAt, this.clock.now() + ms);
    return this.waitMs();
  }
}
