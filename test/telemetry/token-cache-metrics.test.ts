/**
 * Cache metrics are read from the providers' counters when the metric reader collects. A fake
 * meter stands in for OpenTelemetry's and runs the batch callback the way a collection does; the
 * export through the real SDK is proved in app-insights-export and provider-telemetry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScopeCacheStats, TokenCacheStats } from '../../src/auth/types.js';
import { createTokenCacheMetrics, type CacheMeter } from '../../src/telemetry/token-cache-metrics.js';
import { METRIC_NAMES } from '../../src/telemetry/token-event-mapping.js';

interface Observation {
  name: string;
  value: number;
  attributes: Record<string, string>;
}

/** Records instruments by name and, on collect(), what the batch callback observes. */
class FakeMeter implements CacheMeter {
  private readonly names = new Map<object, string>();
  private callback: Parameters<CacheMeter['addBatchObservableCallback']>[0] | undefined;
  createObservableCounter(name: string): object {
    return this.instrument(`counter:${name}`);
  }
  createObservableGauge(name: string): object {
    return this.instrument(`gauge:${name}`);
  }
  addBatchObservableCallback(callback: Parameters<CacheMeter['addBatchObservableCallback']>[0]): void {
    this.callback = callback;
  }
  collect(): Observation[] {
    const seen: Observation[] = [];
    this.callback?.({ observe: (instrument, value, attributes = {}) => seen.push({ name: this.names.get(instrument) ?? '?', value, attributes }) });
    return seen;
  }
  private instrument(name: string): object {
    const instrument = {};
    this.names.set(instrument, name);
    return instrument;
  }
}

const vault = 'https://vault.azure.net/.default';
const at = Date.UTC(2026, 0, 1);

/** A provider whose counters the test moves by hand. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function fakeProvider(source: TokenCacheStats['source'] = 'managed-identity'): { stats: Mutable<ScopeCacheStats>; cacheStats(): TokenCacheStats } {
  const stats: Mutable<ScopeCacheStats> = { scope: vault, hits: 0, coldMisses: 0, expiredMisses: 0, expiresOnTimestamp: undefined };
  return {
    stats,
    cacheStats: () => ({ identity: `${source}:x`, source, at, scopes: [{ ...stats }] }),
  };
}

const byName = (observations: Observation[], name: string): Observation[] => observations.filter((o) => o.name === name);

describe('token cache metrics', () => {
  it('hits and misses are observable counters of running totals; seconds to expiry is a gauge', () => {
    const meter = new FakeMeter();
    const metrics = createTokenCacheMetrics(meter);
    const provider = fakeProvider();
    metrics.observe(provider);
    Object.assign(provider.stats, { hits: 1_000, coldMisses: 1, expiresOnTimestamp: at + 3_600_000 });
    const seen = meter.collect();
    assert.deepEqual(byName(seen, `counter:${METRIC_NAMES.cacheHit}`), [
      { name: `counter:${METRIC_NAMES.cacheHit}`, value: 1_000, attributes: { credentialSource: 'managed-identity', scope: vault } },
    ]);
    assert.deepEqual(byName(seen, `counter:${METRIC_NAMES.cacheMiss}`), [
      { name: `counter:${METRIC_NAMES.cacheMiss}`, value: 1, attributes: { credentialSource: 'managed-identity', scope: vault, reason: 'cold' } },
    ]);
    assert.deepEqual(byName(seen, `gauge:${METRIC_NAMES.secondsToExpiry}`), [
      { name: `gauge:${METRIC_NAMES.secondsToExpiry}`, value: 3_600, attributes: { credentialSource: 'managed-identity', scope: vault } },
    ]);
  });

  it('metrics carry no invocation or operation id (it would explode their cardinality)', () => {
    const meter = new FakeMeter();
    const provider = fakeProvider();
    createTokenCacheMetrics(meter).observe(provider);
    Object.assign(provider.stats, { hits: 1, coldMisses: 1, expiredMisses: 1, expiresOnTimestamp: at + 1 });
    for (const { attributes } of meter.collect()) assert.deepEqual(Object.keys(attributes).filter((k) => !['credentialSource', 'scope', 'reason'].includes(k)), []);
  });

  it('a series whose total has not moved is not observed again: an idle scope sends no row', () => {
    const meter = new FakeMeter();
    const provider = fakeProvider();
    createTokenCacheMetrics(meter).observe(provider);
    Object.assign(provider.stats, { hits: 5 });
    assert.equal(byName(meter.collect(), `counter:${METRIC_NAMES.cacheHit}`).length, 1);
    assert.deepEqual(byName(meter.collect(), `counter:${METRIC_NAMES.cacheHit}`), [], 'no hit since the last collection');
    provider.stats.hits = 7;
    assert.equal(byName(meter.collect(), `counter:${METRIC_NAMES.cacheHit}`)[0]?.value, 7, 'the running total: the exporter sends the delta');
    assert.deepEqual(byName(meter.collect(), `counter:${METRIC_NAMES.cacheMiss}`), [], 'never a row for a count of zero');
  });

  it('seconds to expiry never go below zero, and a scope without a token has none', () => {
    const meter = new FakeMeter();
    const provider = fakeProvider();
    createTokenCacheMetrics(meter).observe(provider);
    assert.deepEqual(byName(meter.collect(), `gauge:${METRIC_NAMES.secondsToExpiry}`), []);
    provider.stats.expiresOnTimestamp = at - 10_000;
    assert.equal(byName(meter.collect(), `gauge:${METRIC_NAMES.secondsToExpiry}`)[0]?.value, 0);
  });

  it('two providers of one source and scope are summed; the gauge shows the sooner expiry', () => {
    const meter = new FakeMeter();
    const metrics = createTokenCacheMetrics(meter);
    const [a, b] = [fakeProvider(), fakeProvider()];
    metrics.observe(a);
    metrics.observe(b);
    Object.assign(a.stats, { hits: 3, expiresOnTimestamp: at + 60_000 });
    Object.assign(b.stats, { hits: 4, expiresOnTimestamp: at + 30_000 });
    const seen = meter.collect();
    assert.equal(byName(seen, `counter:${METRIC_NAMES.cacheHit}`)[0]?.value, 7);
    assert.equal(byName(seen, `gauge:${METRIC_NAMES.secondsToExpiry}`)[0]?.value, 30);
  });

  it('a provider no longer observed keeps its counts in the totals (a running total never goes down)', () => {
    const meter = new FakeMeter();
    const metrics = createTokenCacheMetrics(meter);
    const [a, b] = [fakeProvider(), fakeProvider()];
    const stopA = metrics.observe(a);
    metrics.observe(b);
    Object.assign(a.stats, { hits: 10, expiresOnTimestamp: at + 60_000 });
    Object.assign(b.stats, { hits: 1 });
    meter.collect();
    stopA();
    stopA();
    b.stats.hits = 2;
    const seen = meter.collect();
    assert.equal(byName(seen, `counter:${METRIC_NAMES.cacheHit}`)[0]?.value, 12);
    assert.deepEqual(byName(seen, `gauge:${METRIC_NAMES.secondsToExpiry}`), [], 'only held tokens of observed providers have an expiry');
  });

  it('a provider whose stats throw does not keep the others from being reported', () => {
    const meter = new FakeMeter();
    const metrics = createTokenCacheMetrics(meter);
    const good = fakeProvider('certificate');
    good.stats.hits = 2;
    metrics.observe({
      cacheStats: () => {
        throw new Error('broken');
      },
    });
    metrics.observe(good);
    assert.deepEqual(byName(meter.collect(), `counter:${METRIC_NAMES.cacheHit}`).map((o) => [o.value, o.attributes.credentialSource]), [[2, 'certificate']]);
  });
});
