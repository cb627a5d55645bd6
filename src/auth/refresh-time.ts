/**
 * When to refresh a token ahead of its expiry, from what the server told us; the token itself is
 * never decoded. Order of preference: the server's `refresh_in`; half-life for long-lived tokens;
 * otherwise a margin before expiry. Always at least `skew` before the token stops being served.
 */
import { expirySkewMs, halfLifeRefreshThresholdMs, refreshMarginMs } from './defaults.js';

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
  let refreshAt: number;
  if (input.serverRefreshAt !== undefined) {
    refreshAt = input.serverRefreshAt;
  } else if (lifetime >= halfLifeRefreshThresholdMs) {
    refreshAt = receivedAt + lifetime / 2;
  } else {
    refreshAt = Math.max(expiresOnTimestamp - refreshMarginMs, receivedAt + lifetime / 2);
  }
  const lastUsefulMoment = expiresOnTimestamp - skew;
  return Math.round(Math.max(receivedAt, Math.min(refreshAt, lastUsefulMoment)));
}
