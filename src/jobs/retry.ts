/**
 * Waiting out a transient failure inside one run (the sweep; the queue worker leaves retries to
 * the host). `Retry-After` is authoritative when the service sent one (RFC 9110 section 10.2.3);
 * otherwise exponential back-off. Time comes from the injected clock.
 */
import { isTransient } from '../clients/errors.js';
import type { Clock } from './ports.js';

export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /**
   * A `Retry-After` longer than this is not waited out inside the run: the item fails now and is
   * reported, so a vault or identity platform throttling for many minutes cannot push the run past
   * the function timeout (where it would end with no summary at all).
   */
  maxRetryAfterMs: number;
}

export const sweepRetryPolicy: RetryPolicy = {
  /** Four tries ride out a throttling window or a short blip without stalling the whole run. */
  attempts: 4,
  /** A failure without Retry-After is never retried sooner than 5 s (the design's first back-off step). */
  firstDelayMs: 5_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/** The wait before attempt `attempt + 1` (attempt counts from 1). */
export function retryDelayMs(policy: RetryPolicy, attempt: number, error: unknown): number {
  const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof retryAfterMs === 'number' && retryAfterMs >= 0) return retryAfterMs;
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (attempt - 1));
}

/**
 * The wait before another attempt inside this run, or undefined when there is none: attempts
 * used up, a failure retrying cannot fix, or a Retry-After longer than the run can afford.
 * Every retry loop of a job asks this one question, so each honours the same cap.
 */
export function affordableRetryDelayMs(policy: RetryPolicy, attempt: number, error: unknown): number | undefined {
  if (attempt >= policy.attempts || !isTransient(error)) return undefined;
  const delayMs = retryDelayMs(policy, attempt, error);
  return delayMs > policy.maxRetryAfterMs ? undefined : delayMs;
}

export async function withRetries<T>(work: () => Promise<T>, clock: Clock, policy: RetryPolicy = sweepRetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const delayMs = affordableRetryDelayMs(policy, attempt, error);
      if (delayMs === undefined) throw error;
      await clock.sleep(delayMs);
    }
  }
}
