/**
 * `Retry-After` parsing. RFC 9110 section 10.2.3: the value is either delay-seconds or an
 * HTTP-date. When present it is authoritative: the gate never opens before it.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Fractional seconds are not RFC-conformant, but some proxies send them; honour rather than ignore.
  if (/^\d+\.\d+$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
