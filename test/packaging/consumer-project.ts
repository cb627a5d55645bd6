/**
 * A throwaway TypeScript project that depends on this package the way a user's project would:
 * the package itself copied into `node_modules` (package.json and the built dist/src, what
 * `exports` points at), the packages an install brings along symlinked next to it, and the
 * consumer's own `typescript` and `@types/node`. Only these are visible from the consumer: a
 * type that resolves here only through this repository's devDependencies cannot resolve.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { manifest, productionPackages, repositoryRoot } from './package-manifest.js';

export type ConsumerLayout =
  /** npm's flat tree: every package of the lockfile not marked `dev`, hoisted where npm put it. */
  | 'npm'
  /** Only the direct dependencies at the top, as pnpm lays them out: nothing hoisted from deeper. */
  | 'direct';

/** What the consumer installs for itself to compile: the compiler and Node's types. */
const consumerToolchain = ['typescript', '@types/node'];

export interface CompileResult {
  ok: boolean;
  /** tsc's diagnostics, paths relative to the consumer project. */
  output: string;
}

export interface ConsumerProject {
  dir: string;
  compile(): CompileResult;
  remove(): void;
}

function link(nodeModules: string, name: string): void {
  const target = join(nodeModules, name);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(join(repositoryRoot, 'node_modules', name), target, 'dir');
}

export function createConsumerProject(layout: ConsumerLayout, source: string): ConsumerProject {
  const dir = mkdtempSync(join(tmpdir(), 'rdf-consumer-'));
  const nodeModules = join(dir, 'node_modules');
  const installed = join(nodeModules, manifest.name);
  mkdirSync(installed, { recursive: true });
  cpSync(join(repositoryRoot, 'package.json'), join(installed, 'package.json'));
  cpSync(join(repositoryRoot, 'dist', 'src'), join(installed, 'dist', 'src'), { recursive: true });

  const dependencies = layout === 'npm' ? productionPackages() : Object.keys(manifest.dependencies);
  for (const name of new Set([...dependencies, ...consumerToolchain])) link(nodeModules, name);

  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(join(dir, 'consumer.ts'), source);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: false,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        lib: ['ES2023'],
        types: ['node'],
        resolveJsonModule: true,
        noEmit: true,
        // npm: resolve from where each package sits in this tree, as in a real install (realpaths
        // would lead into this repository's node_modules, devDependencies included). direct: a
        // dependency resolves its own imports from its real location, as pnpm's store does.
        preserveSymlinks: layout === 'npm',
      },
      files: ['consumer.ts'],
    }),
  );

  return {
    dir,
    compile() {
      const tsc = join(nodeModules, 'typescript', 'bin', 'tsc');
      const result = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
      return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
