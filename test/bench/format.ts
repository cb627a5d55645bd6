/** Numbers as a person reads them in a table cell: unit chosen by size, three significant digits. */

function significant(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Nanoseconds as ns, µs, ms or s. */
export function duration(ns: number): string {
  if (ns === 0) return '0';
  const magnitude = Math.abs(ns);
  if (magnitude < 1_000) return `${significant(ns)} ns`;
  if (magnitude < 1_000_000) return `${significant(ns / 1_000)} µs`;
  if (magnitude < 1_000_000_000) return `${significant(ns / 1_000_000)} ms`;
  return `${significant(ns / 1_000_000_000)} s`;
}

export function durationMs(ms: number): string {
  return duration(ms * 1_000_000);
}

export function bytes(value: number): string {
  if (Math.abs(value) < 1024) return `${significant(value)} B`;
  return `${significant(value / 1024)} KiB`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function percent(fraction: number): string {
  return `${significant(fraction * 100)}%`;
}

/** `×12.3`, or `—` when either side is missing. */
export function ratio(stock: number | undefined, ours: number | undefined): string {
  if (stock === undefined || ours === undefined || !Number.isFinite(stock) || !Number.isFinite(ours) || ours === 0) return '—';
  return `×${significant(stock / ours)}`;
}

export function rate(perSecond: number, unit: string): string {
  return `${significant(perSecond)} ${unit}/s`;
}
