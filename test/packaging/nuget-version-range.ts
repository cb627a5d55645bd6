/**
 * NuGet version ranges, the syntax of host.json's `extensionBundle.version`: `1.0` (at least),
 * `[1.0]` (exactly), `[1.0,2.0)` and every bracket mix, an open side (`(,2.0)`, `[1.0,)`), and a
 * floating lower bound such as `4.*` (the newest 4.x). Parses and validates; resolves nothing.
 * https://learn.microsoft.com/nuget/concepts/package-versioning#version-ranges
 */

export interface VersionBound {
  /** Numeric parts as written: `4.*` -> [4], `5.0.0` -> [5, 0, 0]. */
  parts: number[];
  /** `4.*`: any version with these leading parts, the newest preferred. */
  floating: boolean;
  inclusive: boolean;
}

export interface VersionRange {
  min?: VersionBound;
  max?: VersionBound;
}

const versionPattern = /^(\d+(?:\.\d+){0,3})(\.\*)?$|^\*$/;

function bound(text: string, inclusive: boolean, allowFloating: boolean): VersionBound {
  const match = versionPattern.exec(text.trim());
  if (!match) throw new Error(`"${text.trim()}" is not a version`);
  const floating = match[0] === '*' || match[2] !== undefined;
  if (floating && !allowFloating) throw new Error(`"${text.trim()}": only a lower bound may float`);
  const parts = match[1] === undefined ? [] : match[1].split('.').map(Number);
  if (floating && parts.length >= 4) throw new Error(`"${text.trim()}" floats past the fourth part`);
  return { parts, floating, inclusive };
}

/** -1, 0 or 1, missing parts counting as 0 (a floating bound compares as its lowest version). */
export function compareParts(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/** Throws, saying why, when `text` is not a NuGet version range. */
export function parseVersionRange(text: string): VersionRange {
  const trimmed = text.trim();
  const bracketed = /^([[(])(.*)([\])])$/.exec(trimmed);
  if (!bracketed) return { min: bound(trimmed, true, true) };
  const [, open = '', inside = '', close = ''] = bracketed;
  const sides = inside.split(',');
  if (sides.length === 1) {
    if (open !== '[' || close !== ']') throw new Error(`"${trimmed}": an exact version is written [x]`);
    const exact = bound(inside, true, false);
    return { min: exact, max: exact };
  }
  if (sides.length !== 2) throw new Error(`"${trimmed}" has more than two sides`);
  const [low = '', high = ''] = sides.map((side) => side.trim());
  if (low === '' && high === '') throw new Error(`"${trimmed}" bounds nothing`);
  const range: VersionRange = {};
  if (low !== '') range.min = bound(low, open === '[', true);
  if (high !== '') range.max = bound(high, close === ']', false);
  if (range.min && range.max) {
    const order = compareParts(range.min.parts, range.max.parts);
    if (order > 0 || (order === 0 && !(range.min.inclusive && range.max.inclusive))) throw new Error(`"${trimmed}" is empty`);
  }
  return range;
}
