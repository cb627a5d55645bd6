/** Order statistics for benchmark samples: pure, no I/O. */

/** The q-quantile (0..1) of already sorted values, linear between neighbours (type 7, as R and NumPy). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * Math.min(Math.max(q, 0), 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(sortedCopy(values), q);
}

export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** Interquartile range: p75 - p25. */
export function iqr(values: ArrayLike<number>): number {
  const sorted = sortedCopy(values);
  return quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
}

/** A figure over repeated runs: the median of the per-run values and their IQR. */
export interface Spread {
  median: number;
  iqr: number;
  runs: number;
}

export function spreadOf(values: readonly number[]): Spread {
  return { median: median(values), iqr: iqr(values), runs: values.length };
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}
