/**
 * The rules of a storable event that JSON Schema cannot state portably, checked after the schema:
 * text both databases refuse, and instants that JavaScript or SQL cannot hold.
 */

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Both databases refuse NUL and unpaired surrogates in text and JSON, keys included: such a payload can never be stored. */
export function hasUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000') || loneSurrogate.test(value);
  if (Array.isArray(value)) return value.some(hasUnstorableText);
  if (isRecord(value)) return Object.entries(value).some(([key, item]) => hasUnstorableText(key) || hasUnstorableText(item));
  return false;
}

/**
 * Rejects dates JavaScript would silently roll over (2024-02-30 -> March 1), years SQL cannot hold
 * (0000), and anything else `Date.parse` refuses (a leap second, 24:00). The schema's `format`
 * says the calendar part too, but not every validator asserts formats.
 */
export function isRealInstant(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (year < 1 || year > 9999 || month < 1 || month > 12) return false;
  const daysInMonth = new Date(Date.UTC(2000 + (year % 400), month, 0)).getUTCDate();
  return day >= 1 && day <= daysInMonth && !Number.isNaN(Date.parse(text));
}
