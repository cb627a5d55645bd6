/**
 * Runs every compiled `*.test.js` under dist/test with node:test. Node 20 takes directories but
 * not globs and Node 22 takes globs but not directories, so the file list is made here.
 * Extra arguments (e.g. `--test-name-pattern=…`) are passed through.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const filter = process.env['TEST_FILTER'];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

const files = testFiles(root)
  .filter((file) => !filter || relative(root, file).includes(filter))
  .sort();
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=180000', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
