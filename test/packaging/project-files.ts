/**
 * The files a publish would look at: the project's own (the built tree included, node_modules
 * and the git directory not), and the files of each production package in node_modules.
 * Paths are relative to the project root and `/`-separated, as both publishers match them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { productionPackageDirs } from './package-manifest.js';

/** Every file under `dir`, relative to `base`; `skip` decides on directories by relative path. */
function filesUnder(base: string, dir: string, skip: (relativeDir: string) => boolean): string[] {
  return readdirSync(join(base, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) return skip(path) ? [] : filesUnder(base, path, skip);
    return entry.isFile() ? [path] : [];
  });
}

/** The project's files, as they are now (git's own directory and node_modules aside). */
export function projectFiles(root: string): string[] {
  return filesUnder(root, '', (dir) => dir === '.git' || dir === 'node_modules');
}

/**
 * Files a developer's tree may hold that this checkout does not: Core Tools and VS Code must
 * leave them out all the same.
 */
export const possibleLocalFiles = [
  'local.settings.json',
  'local.settings.dev.json',
  'npm-debug.log',
  '__azurite_db_queue__.json',
  '__blobstorage__/0a1b2c',
  '__queuestorage__/0a1b2c',
  '__tablestorage__/0a1b2c',
  'AzuriteConfig',
  '.azurite/__azurite_db_blob__.json',
  'coverage/lcov.info',
  'bench/token-cache.bench.ts',
  'dist/bench/token-cache.bench.js',
] as const;

/** Every file of every installed production package (each nested copy on its own). */
export function productionPackageFiles(root: string): string[] {
  return productionPackageDirs()
    .filter((dir) => existsSync(join(root, dir)))
    .flatMap((dir) => filesUnder(root, dir, (sub) => sub.endsWith('/node_modules')));
}
