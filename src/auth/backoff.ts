/**
 * Exponential back-off with upward-only jitter: step n waits first * 2^(n-1), capped, plus up to
 * `jitterRatio` more. Jitter only ever adds, so the first retry is never sooner than `firstDelayMs`.
 */
import { firstRetryDelayMs, maxRetryDelayMs, retryJitterRatio } from './defaults.js';

export interface BackoffOptions {
  firstDelayMs?: number;
  maxDelayMs?: number;
  jitterRatio?: number;
  /** Uniform in [0, 1); injected so tests can pin the jitter. */
  random?: () => number;
}

export type Backoff = (attempt: number) => number;

export function exponentialBackoff(options: BackoffOptions = {}): Backoff {
  const first = Math.max(options.firstDelayMs ?? firstRetryDelayMs, firstRetryDelayMs);
  const max = Math.max(options.maxDelayMs ?? maxRetryDelayMs, first);
  const jitterRatio = options.jitterRatio ?? retryJitterRatio;
  const random = options.random ?? Math.random;
  return (attempt) => {
    const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
    const base = Math.min(first * 2 ** exponent, max);
    return Math.round(base * (1 + jitterRatio * random()));
  };
}
