/** This package's own package.json and lockfile, read the way the packaging tests need them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/test/packaging/). */
export const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

interface ExportTarget {
  types?: string;
  default?: string;
}

interface Manifest {
  name: string;
  /** The function app's entry: a path or glob the Functions worker loads. */
  main: string;
  dependencies: Record<string, string>;
  exports: Record<string, string | ExportTarget>;
}

interface Lockfile {
  packages: Record<string, { dev?: boolean }>;
}

export const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as Manifest;

export interface PublicEntry {
  /** `.`, `./clients`, … as written in `exports`. */
  subpath: string;
  /** What a consumer writes in an import: `resilient-daemon-functions/clients`. */
  specifier: string;
  target: ExportTarget;
}

/** Every code entry point of `exports` (`./package.json` is data, not code). */
export function publicEntries(): PublicEntry[] {
  return Object.entries(manifest.exports)
    .filter(([subpath]) => subpath !== './package.json')
    .map(([subpath, target]) => ({
      subpath,
      specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
      target: typeof target === 'string' ? { default: target } : target,
    }));
}

/**
 * Top-level `node_modules/<name>` of every package an `npm install` of this package brings along:
 * the lockfile entries not marked `dev`. Nested copies come with their parent's directory.
 */
export function productionPackages(): string[] {
  return productionPackageDirs()
    .filter((path) => path.lastIndexOf('node_modules/') === 0)
    .map((path) => path.slice('node_modules/'.length));
}

/**
 * `node_modules/<name>`, and `node_modules/<a>/node_modules/<b>` for nested copies, of every
 * lockfile entry not marked `dev`: what a production install puts in place.
 */
export function productionPackageDirs(): string[] {
  const lock = JSON.parse(readFileSync(join(repositoryRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev !== true)
    .map(([path]) => path);
}
