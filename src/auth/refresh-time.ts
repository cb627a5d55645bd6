/**
 * When to refresh a token ahead of its expiry, from what the server told us; the token itself is
 * never decoded. Order of preference: the server's `refresh_in`; half-life for long-lived tokens;
 * otherwise a margin before expiry. Always at least `skew` before the token stops being served,
 * and never sooner than a floor after it arrived, so that an odd answer (`refresh_in: 0`, a
 * one-second token) cannot turn refresh-ahead into a request loop.
 */
import { expirySkewMs, halfLifeRefreshThresholdMs, minRefreshIntervalMs, refreshMarginMs } from './defaults.js';

export interface RefreshTimeInput {
  receivedAt: number;
  expiresOnTimestamp: number;
  /** Server's `refresh_in`, converted to an absolute time. */
  serverRefreshAt?: number | undefined;
  skewMs?: number;
}

export function refreshAfterTimestamp(input: RefreshTimeInput): number {
  const { receivedAt, expiresOnTimestamp } = input;
  const skew = input.skewMs ?? expirySkewMs;
  const lifetime = expiresOnTimestamp - receivedAt;
  const serverRefreshAt = input.serverRefreshAt;
  // A refresh_in of zero or beyond the expiry carries no usable advice.
  const serverAdviceUsable = serverRefreshAt !== undefined && serverRefreshAt > receivedAt && serverRefreshAt < expiresOnTimestamp;
  let refreshAt: number;
  if (serverAdviceUsable) {
    refreshAt = serverRefreshAt;
  } else if (lifetime >= halfLifeRefreshThresholdMs) {
    refreshAt = receivedAt + lifetime / 2;
  } else {
    refreshAt = Math.max(expiresOnTimestamp - refreshMarginMs, receivedAt + lifetime / 2);
  }
  const earliest = receivedAt + Math.min(minRefreshIntervalMs, lifetime / 2);
  const lastUsefulMoment = expiresOnTimestamp - skew;
  return Math.round(Math.max(earliest, Math.min(refreshAt, lastUsefulMoment)));
}
