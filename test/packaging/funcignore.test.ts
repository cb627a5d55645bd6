/**
 * `.funcignore` ships only what the host needs: host.json, package.json, the compiled app and the
 * production packages; no TypeScript, test, sandbox, source map, local settings, editor or CI file.
 * Checked against the built tree as each publisher reads the file: Core Tools with its own parser
 * (ported in core-tools-ignore.ts, plus the names it always leaves out), VS Code's deploy with
 * gitignore semantics (glob-gitignore, i.e. the npm `ignore` package).
 */
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ignore from 'ignore';
import { coreToolsIgnore, leftOutByName } from './core-tools-ignore.js';
import { manifest, repositoryRoot } from './package-manifest.js';
import { possibleLocalFiles, productionPackageFiles, projectFiles } from './project-files.js';

const funcignore = readFileSync(join(repositoryRoot, '.funcignore'), 'utf8');

interface Publisher {
  name: string;
  ships(path: string): boolean;
}

const coreTools = coreToolsIgnore(funcignore);
const gitignore = ignore().add(funcignore);
const publishers: Publisher[] = [
  { name: 'Core Tools (func azure functionapp publish)', ships: (path) => !leftOutByName(path) && coreTools.accepts(path) },
  { name: "VS Code's deploy (gitignore semantics)", ships: (path) => !gitignore.ignores(path) },
];

const tree = [...new Set([...projectFiles(repositoryRoot), ...possibleLocalFiles])].sort();
const dependencyFiles = productionPackageFiles(repositoryRoot);
const mainFiles = globSync(manifest.main, { cwd: repositoryRoot });

/** What the host runs: the compiled functions and library (and the event schema it loads), never the sandbox or the local run. */
const compiledApp = /^dist\/(functions|src)\/.+\.js$|^dist\/src\/jobs\/event\.schema\.json$/;
const sandbox = /^(dist\/)?src\/(sandbox|local)\//;

describe('the tree .funcignore is checked against', () => {
  it('is built, and main names files in it', () => {
    assert.ok(mainFiles.length > 0 && mainFiles.every((file) => tree.includes(file)), `main "${manifest.main}" matches no built file: run npm run build`);
    assert.ok(tree.some((file) => file.startsWith('dist/test/')), 'dist/test is there to be left out');
    assert.ok(dependencyFiles.length > 0, 'node_modules holds the production packages');
  });
});

for (const publisher of publishers) {
  describe(`.funcignore as ${publisher.name} reads it`, () => {
    const shipped = tree.filter((path) => publisher.ships(path));

    it('ships main, every module of the compiled app, host.json and package.json', () => {
      const needed = [...mainFiles, 'host.json', 'package.json', ...tree.filter((path) => compiledApp.test(path) && !sandbox.test(path))];
      assert.deepEqual(needed.filter((path) => !publisher.ships(path)), []);
    });

    it('ships no TypeScript (source or declaration), no source map, no test and nothing of the sandbox', () => {
      const offending = shipped.filter((path) => /\.(ts|map)$/.test(path) || /^(dist\/)?test\//.test(path) || sandbox.test(path));
      assert.deepEqual(offending, []);
    });

    it('ships nothing else of the project: no local settings, editor, CI, git, docs, lockfile or Azurite data', () => {
      const unexpected = shipped.filter((path) => !['host.json', 'package.json'].includes(path) && !(compiledApp.test(path) && !sandbox.test(path)));
      assert.deepEqual(unexpected, []);
    });

    it('drops no file a production package may load at run time (.js, .cjs, .mjs, .json, .node)', () => {
      // @types packages (some come with Application Insights' instrumentations) hold declarations only.
      const runtime = dependencyFiles.filter((path) => /\.(c|m)?js$|\.json$|\.node$/.test(path) && !path.includes('node_modules/@types/'));
      const dropped = runtime.filter((path) => !publisher.ships(path));
      assert.deepEqual(dropped.slice(0, 20), [], `${dropped.length} runtime files of production packages would not ship`);
    });

    it('leaves out the development tools the Core Tools template leaves out', () => {
      for (const path of ['node_modules/typescript/package.json', 'node_modules/@types/node/index.d.ts', 'node_modules/azure-functions-core-tools/package.json']) {
        assert.equal(publisher.ships(path), false, path);
      }
    });
  });
}

describe("the port of Core Tools' .funcignore parser", () => {
  // Cases from Core Tools' own GitIgnoreParserTests.cs, with the answers it asserts.
  const parser = coreToolsIgnore(
    ['# comment', 'node_modules', '*.log', 'nonexistent', '!/nonexistent/foo', '/baz', 'foo/*.wat', '/test1', 'test2', 'othernonexistent/**/what', '!/othernonexistent/**/what/foo', '*.swp'].join('\n'),
  );
  const cases: [path: string, accepted: boolean][] = [
    ['test/index.js', true],
    ['wat/test/index.js', true],
    ['/othernonexistent/blah/adsasd/whatads', true],
    ['/othernonexistent/blah/adsasd/what/foo', true],
    ['test2', false],
    ['test1File.wat', true],
    ['test.swp', false],
    ['node_modules/what.js', false],
    ['foo/bar.wat', false],
    ['othernonexistent/blah/what', false],
    ['nonexistent', false],
    ['nonexistent/bar', false],
    ['nonexistent/foo', true],
    ['nonexistent/foo/wat', true],
  ];
  for (const [path, accepted] of cases) {
    it(`${accepted ? 'accepts' : 'denies'} ${path}`, () => assert.equal(parser.accepts(path), accepted));
  }

  it('anchors every pattern at the root and never lets * cross a /: *.ts alone leaves nested sources in', () => {
    const starOnly = coreToolsIgnore('*.ts');
    assert.equal(starOnly.accepts('index.ts'), false);
    assert.equal(starOnly.accepts('src/index.ts'), true);
    assert.equal(coreToolsIgnore('**/*.ts').accepts('src/index.ts'), false);
  });
});
