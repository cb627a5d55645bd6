/**
 * Cache metrics read, not pushed: the provider only counts hits and misses (a cache hit must stay
 * sub-microsecond with telemetry on), and OpenTelemetry observable instruments read those counters
 * when the metric reader collects, once per export interval or on flush.
 *
 * - TokenCacheHit, TokenCacheMiss (dimension `reason`: cold/expired): observable counters of the
 *   running totals; the exporter's delta temporality turns them into counts per interval. A series
 *   whose total has not moved since the last collection is not observed, so an idle scope sends no
 *   row (the SDK diffs against the last total it saw, so the next count is still right).
 * - TokenSecondsToExpiry: an observable gauge, the seconds left on the token each scope holds.
 *
 * Dimensions are `credentialSource` and `scope`, as before. Two providers for one source and scope
 * (not recommended) are summed, and the gauge shows the sooner expiry.
 */
import type { TokenCacheStats } from '../auth/types.js';
import type { TokenCacheStatsSource } from './telemetry.js';
import { METRIC_NAMES } from './token-event-mapping.js';

type Attributes = Record<string, string>;

/** The slice of an OpenTelemetry Meter used here, structurally (published types stay free of OpenTelemetry). */
export interface CacheMeter {
  createObservableCounter(name: string, options?: { description?: string }): object;
  createObservableGauge(name: string, options?: { description?: string }): object;
  addBatchObservableCallback(callback: (result: { observe(instrument: object, value: number, attributes?: Attributes): void }) => void, observables: object[]): void;
}

export interface TokenCacheMetrics {
  /** Reports `source` until the returned function is called; its counts so far stay in the totals. */
  observe(source: TokenCacheStatsSource): () => void;
}

interface Series {
  instrument: 'hits' | 'misses' | 'secondsToExpiry';
  attributes: Attributes;
  value: number;
}

const keyOf = (series: Pick<Series, 'instrument' | 'attributes'>): string =>
  `${series.instrument}\n${series.attributes.credentialSource}\n${series.attributes.scope}\n${series.attributes.reason ?? ''}`;

/** Every series one snapshot contributes: running totals and the seconds left per held token. */
function seriesOf(stats: TokenCacheStats): Series[] {
  const series: Series[] = [];
  for (const scope of stats.scopes) {
    const base = { credentialSource: stats.source, scope: scope.scope };
    series.push({ instrument: 'hits', attributes: base, value: scope.hits });
    series.push({ instrument: 'misses', attributes: { ...base, reason: 'cold' }, value: scope.coldMisses });
    series.push({ instrument: 'misses', attributes: { ...base, reason: 'expired' }, value: scope.expiredMisses });
    if (scope.expiresOnTimestamp !== undefined) {
      series.push({ instrument: 'secondsToExpiry', attributes: base, value: Math.max(0, (scope.expiresOnTimestamp - stats.at) / 1000) });
    }
  }
  return series;
}

function snapshot(source: TokenCacheStatsSource): Series[] {
  try {
    return seriesOf(source.cacheStats());
  } catch {
    return []; // telemetry must never break on a provider it reads
  }
}

export function createTokenCacheMetrics(meter: CacheMeter): TokenCacheMetrics {
  const instruments = {
    hits: meter.createObservableCounter(METRIC_NAMES.cacheHit, { description: 'getToken calls served from the token cache' }),
    misses: meter.createObservableCounter(METRIC_NAMES.cacheMiss, { description: 'getToken calls that found no servable token' }),
    secondsToExpiry: meter.createObservableGauge(METRIC_NAMES.secondsToExpiry, { description: 'Seconds left on the cached token' }),
  };
  const sources = new Set<TokenCacheStatsSource>();
  /** Totals of sources no longer observed, so that a running total never goes down. */
  const retired = new Map<string, Series>();
  /** The total last observed per counter series. */
  const lastObserved = new Map<string, number>();

  meter.addBatchObservableCallback(
    (result) => {
      const merged = new Map<string, Series>();
      for (const series of retired.values()) merged.set(keyOf(series), { ...series });
      for (const source of sources) {
        for (const series of snapshot(source)) {
          const key = keyOf(series);
          const seen = merged.get(key);
          if (seen === undefined) merged.set(key, series);
          else seen.value = series.instrument === 'secondsToExpiry' ? Math.min(seen.value, series.value) : seen.value + series.value;
        }
      }
      for (const [key, series] of merged) {
        if (series.instrument !== 'secondsToExpiry') {
          if (series.value === (lastObserved.get(key) ?? 0)) continue;
          lastObserved.set(key, series.value);
        }
        result.observe(instruments[series.instrument], series.value, series.attributes);
      }
    },
    [instruments.hits, instruments.misses, instruments.secondsToExpiry],
  );

  return {
    observe(source) {
      sources.add(source);
      return () => {
        if (!sources.delete(source)) return;
        for (const series of snapshot(source)) {
          if (series.instrument === 'secondsToExpiry') continue;
          const key = keyOf(series);
          const seen = retired.get(key);
          if (seen === undefined) retired.set(key, series);
          else seen.value += series.value;
        }
      };
    },
  };
}
