/**
 * `Retry-After` parsing. RFC 9110 section 10.2.3: the value is either delay-seconds or an
 * HTTP-date. A usable value is authoritative: the gate opens exactly when it says, not later.
 *
 * What counts as absent (`undefined`), so that the 5 s first back-off step applies and no answer
 * can produce a fast loop: a missing or empty header, `0`, a negative number, a date that has
 * already passed, or anything unparseable. An absurd value (`99999999999999`, a date in the year
 * 9999) is capped, as MSAL's throttling cache caps it, so it can neither stall an app for years
 * nor overflow a Date.
 */
import { maxRetryAfterMs } from './defaults.js';

/** IMF-fixdate, RFC 850 and asctime all start with a day name; `Date.parse` alone accepts `-5` or `2026`. */
const httpDatePattern = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i;

export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  let delayMs: number | undefined;
  if (/^\d+$/.test(trimmed)) delayMs = Number(trimmed) * 1000;
  // Fractional seconds are not RFC-conformant, but some proxies send them; honour rather than ignore.
  else if (/^\d+\.\d+$/.test(trimmed)) delayMs = Math.ceil(Number(trimmed) * 1000);
  else if (httpDatePattern.test(trimmed)) {
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) delayMs = date - nowMs;
  }
  if (delayMs === undefined || !(delayMs > 0)) return undefined;
  return Math.min(delayMs, maxRetryAfterMs);
}
