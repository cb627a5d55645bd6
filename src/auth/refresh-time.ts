/**
 * When to refresh a token ahead of its expiry, from what the server told us; the token itself is
 * never decoded. Order of preference: the server's `refresh_in`; half-life for long-lived tokens;
 * otherwise a margin before expiry. Always at least `skew` before the token stops being served,
 * and never sooner than the refresh floor after the answer arrived, so that an odd answer
 * (`refresh_in: 0`, a one-second token, the same token handed out again) cannot turn
 * refresh-ahead into a request loop.
 */
import { expirySkewMs, halfLifeRefreshThresholdMs, minRefreshIntervalMs, refreshMarginMs } from './defaults.js';

export interface RefreshTimeInput {
  /** When this answer arrived. */
  receivedAt: number;
  /**
   * When this token first arrived (defaults to `receivedAt`). A managed-identity host hands the
   * same token out again; measuring its lifetime from the first arrival keeps the lifetime, and so
   * the refresh floor, from shrinking with every answer.
   */
  firstReceivedAt?: number | undefined;
  expiresOnTimestamp: number;
  /**
   * Fraction in [0, 1) of the time between arrival and the refresh point by which to refresh
   * earlier (refresh jitter: spreads instances apart). Default 0.
   */
  jitter?: number | undefined;
  /** Server's `refresh_in`, converted to an absolute time. */
  serverRefreshAt?: number | undefined;
  skewMs?: number;
}

/** The least time between two requests for one key while a valid token is held: 5 s, or half the life of a very short token. */
export function refreshFloorMs(lifetimeMs: number): number {
  return Math.max(0, Math.min(minRefreshIntervalMs, lifetimeMs / 2));
}

export function refreshAfterTimestamp(input: RefreshTimeInput): number {
  const { receivedAt, expiresOnTimestamp } = input;
  const firstReceivedAt = Math.min(input.firstReceivedAt ?? receivedAt, receivedAt);
  const skew = input.skewMs ?? expirySkewMs;
  const lifetime = expiresOnTimestamp - firstReceivedAt;
  const serverRefreshAt = input.serverRefreshAt;
  // A refresh_in of zero or beyond the expiry carries no usable advice.
  const serverAdviceUsable = serverRefreshAt !== undefined && serverRefreshAt > receivedAt && serverRefreshAt < expiresOnTimestamp;
  const earliest = receivedAt + refreshFloorMs(lifetime);
  const lastUsefulMoment = expiresOnTimestamp - skew;
  let refreshAt: number;
  if (serverAdviceUsable) {
    refreshAt = serverRefreshAt;
  } else if (firstReceivedAt < receivedAt) {
    // The host answered with the token it already gave: it caches server-side and renews when it
    // decides. Ask again halfway to the last useful moment, then halfway again: a handful of
    // requests per lifetime, not one every floor for hours, and instances stay as spread as they were.
    refreshAt = receivedAt + (lastUsefulMoment - receivedAt) / 2;
  } else if (lifetime >= halfLifeRefreshThresholdMs) {
    refreshAt = firstReceivedAt + lifetime / 2;
  } else {
    refreshAt = Math.max(expiresOnTimestamp - refreshMarginMs, firstReceivedAt + lifetime / 2);
  }
  const planned = Math.min(refreshAt, lastUsefulMoment);
  // Jitter only moves the refresh earlier, by a share of the wait still ahead of it.
  const jitter = Math.min(Math.max(input.jitter ?? 0, 0), 1);
  const spread = planned - jitter * Math.max(0, planned - receivedAt);
  // The floor wins over the last useful moment: past it, the token is simply not refreshed ahead.
  return Math.round(Math.max(earliest, spread));
}
