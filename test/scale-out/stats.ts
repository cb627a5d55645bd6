/** Identity requests over time: per minute across the fleet (peak, mean), per second (fleet and per instance). */
import type { RegionalRequest } from './region.js';

export interface RateFigures {
  requests: number;
  throttled: number;
  peakPerMinute: number;
  meanPerMinute: number;
  peakPerSecond: number;
  /** Peak per second of the requests that reached the regional service (see RegionalRequest.upstream). */
  peakUpstreamPerSecond: number;
  peakPerInstancePerSecond: number;
}

function peakOf(counts: Map<number, number>): number {
  let peak = 0;
  for (const count of counts.values()) peak = Math.max(peak, count);
  return peak;
}

function countBy(requests: readonly RegionalRequest[], key: (r: RegionalRequest) => number): Map<number, number> {
  const counts = new Map<number, number>();
  for (const request of requests) counts.set(key(request), (counts.get(key(request)) ?? 0) + 1);
  return counts;
}

/** Figures over [from, until) (epoch ms); the mean is over every minute of the window, empty ones included. */
export function rateFigures(all: readonly RegionalRequest[], from: number, until: number): RateFigures {
  const requests = all.filter((r) => r.at >= from && r.at < until);
  const minutes = Math.max(1, Math.round((until - from) / 60_000));
  return {
    requests: requests.length,
    throttled: requests.filter((r) => r.status === 429).length,
    peakPerMinute: peakOf(countBy(requests, (r) => Math.floor((r.at - from) / 60_000))),
    meanPerMinute: requests.length / minutes,
    peakPerSecond: peakOf(countBy(requests, (r) => Math.floor(r.at / 1_000))),
    peakUpstreamPerSecond: peakOf(countBy(requests.filter((r) => r.upstream), (r) => Math.floor(r.at / 1_000))),
    // One number per (instance, second): instance * 2^32 + second stays exact in a double for these ranges.
    peakPerInstancePerSecond: peakOf(countBy(requests, (r) => r.instance * 4_294_967_296 + Math.floor((r.at - from) / 1_000))),
  };
}
