/**
 * host.json asks for an extension bundle that exists: the Microsoft bundle, by a valid NuGet
 * version range that starts at the current major (4) and stops before the next, as Core Tools'
 * `func init` writes it (src/Cli/func/StaticResources/bundleConfig.json: `[4.*, 5.0.0)`).
 * No network: the range's syntax and bounds are what can be checked here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseVersionRange } from './nuget-version-range.js';
import { repositoryRoot } from './package-manifest.js';

interface HostJson {
  version: string;
  extensionBundle?: { id: string; version: string };
}

const hostJson = JSON.parse(readFileSync(join(repositoryRoot, 'host.json'), 'utf8')) as HostJson;

/** The bundle major the Functions 4.x host supports today. */
const currentBundleMajor = 4;

describe('NuGet version ranges', () => {
  const valid: [range: string, min: string, max: string][] = [
    ['[4.*, 5.0.0)', '[4.*', '5.0.0)'],
    ['[4.0.0,5.0.0)', '[4.0.0', '5.0.0)'],
    ['4.2', '[4.2', ''],
    ['[4.2.0]', '[4.2.0', '4.2.0]'],
    ['(,5.0.0)', '', '5.0.0)'],
    ['(4.0, 5.0]', '(4.0', '5.0]'],
  ];
  const format = (parts: number[], floating: boolean): string => [...parts, ...(floating ? ['*'] : [])].join('.');
  for (const [text, min, max] of valid) {
    it(`reads ${text} as ${min || '(unbounded'}, ${max || 'unbounded)'}`, () => {
      const range = parseVersionRange(text);
      assert.equal(range.min ? `${range.min.inclusive ? '[' : '('}${format(range.min.parts, range.min.floating)}` : '', min);
      assert.equal(range.max ? `${format(range.max.parts, range.max.floating)}${range.max.inclusive ? ']' : ')'}` : '', max);
    });
  }

  const invalid = ['', '[4.*, 5.0.0', '(4.0)', '[5.0.0, 4.0.0)', '[4.0, 4.0)', '[,]', '[4.x, 5.0.0)', '[4.*, 5.*)', '4.*.1', '[4.0, 4.5, 5.0)'];
  for (const text of invalid) {
    it(`refuses "${text}"`, () => assert.throws(() => parseVersionRange(text)));
  }
});

describe('host.json', () => {
  it('is the Functions 2.0+ schema', () => {
    assert.equal(hostJson.version, '2.0');
  });

  it('takes its bindings (the storage queue trigger among them) from the Microsoft extension bundle', () => {
    assert.equal(hostJson.extensionBundle?.id, 'Microsoft.Azure.Functions.ExtensionBundle');
  });

  it(`asks for bundle ${currentBundleMajor}.x or later within one major: at least ${currentBundleMajor}, below the next major's .0.0`, () => {
    const { min, max } = parseVersionRange(hostJson.extensionBundle?.version ?? '');
    assert.ok(min && max, 'both bounds: an open upper bound would take the next major, breaking changes included');
    assert.ok(min.inclusive && (min.parts[0] ?? 0) >= currentBundleMajor, `the lower bound is ${currentBundleMajor} or later`);
    assert.deepEqual({ parts: max.parts.concat([0, 0, 0]).slice(0, 3), inclusive: max.inclusive }, { parts: [(min.parts[0] ?? 0) + 1, 0, 0], inclusive: false });
  });
});
