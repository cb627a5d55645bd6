/**
 * What someone who clones the project expects from a Core Tools TypeScript project: the
 * template's npm scripts, `npm run azurite` for the storage `func start` needs, and a VS Code
 * setup whose deploy hooks name tasks that exist (a missing one fails the deploy).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runNodeScript } from '../support/child-process.js';
import { repositoryRoot } from './package-manifest.js';

const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(repositoryRoot, path), 'utf8')) as T;

const { scripts } = readJson<{ scripts: Record<string, string> }>('package.json');

interface Task {
  label: string;
  type: string;
  command: string;
  dependsOn?: string | string[];
}

describe('npm scripts, as the Core Tools TypeScript template has them', () => {
  it('npm start builds first (prestart), then runs func start', () => {
    assert.equal(scripts['start'], 'func start');
    assert.match(scripts['prestart'] ?? '', /^npm run build$/);
  });

  it('npm run watch compiles on every change', () => {
    assert.equal(scripts['watch'], 'tsc -w');
  });

  it('npm run azurite compiles, then runs the launcher it compiled', () => {
    const launcher = /^node (\S+\.js)$/.exec(scripts['azurite'] ?? '')?.[1];
    assert.ok(launcher !== undefined, `azurite runs one built script: ${scripts['azurite']}`);
    assert.ok(existsSync(join(repositoryRoot, launcher)), `${launcher} is built`);
    assert.match(scripts['preazurite'] ?? '', /\btsc\b/);
  });
});

describe('VS Code', () => {
  const extensions = readJson<{ recommendations: string[] }>('.vscode/extensions.json');
  const settings = readJson<Record<string, unknown>>('.vscode/settings.json');
  const { tasks } = readJson<{ tasks: Task[] }>('.vscode/tasks.json');
  const task = (label: string): Task | undefined => tasks.find((candidate) => candidate.label === label);

  it('recommends the Azure Functions extension', () => {
    assert.ok(extensions.recommendations.includes('ms-azuretools.vscode-azurefunctions'));
  });

  it('describes a TypeScript project of the v4 programming model on Functions ~4, deployed from the root', () => {
    assert.equal(settings['azureFunctions.projectLanguage'], 'TypeScript');
    assert.equal(settings['azureFunctions.projectLanguageModel'], 4);
    assert.equal(settings['azureFunctions.projectRuntime'], '~4');
    assert.equal(settings['azureFunctions.deploySubpath'], '.');
  });

  it('every task a deploy runs, and every task those depend on, exists', () => {
    const missing: string[] = [];
    const visit = (label: string): void => {
      const found = task(label);
      if (found === undefined) {
        missing.push(label);
        return;
      }
      for (const next of [found.dependsOn ?? []].flat()) visit(next);
    };
    for (const key of ['azureFunctions.preDeployTask', 'azureFunctions.postDeployTask']) visit(String(settings[key]));
    visit('func: host start');
    assert.deepEqual(missing, []);
  });

  it('before a deploy: a fresh build, then the devDependencies removed; after it: reinstalled', () => {
    const preDeploy = task(String(settings['azureFunctions.preDeployTask']));
    assert.equal(preDeploy?.command, 'npm prune --omit=dev');
    assert.equal(task(String(preDeploy.dependsOn))?.command, 'npm run build');
    assert.equal(task(String(settings['azureFunctions.postDeployTask']))?.command, 'npm install');
  });

  it('every npm script a task runs exists', () => {
    const named = tasks.flatMap((candidate) => /^npm run (\S+)$/.exec(candidate.command)?.[1] ?? []);
    assert.deepEqual(named.filter((name) => scripts[name] === undefined), []);
  });
});

describe('the project’s own commands answer --help and do nothing else', () => {
  // `npm start` and `npm run watch` are func and tsc, which have their own.
  const commands = [
    { name: 'npm run azurite', script: 'dist/src/sandbox/azurite-cli.js' },
    { name: 'the schema migration (node dist/src/clients/migrate-cli.js)', script: 'dist/src/clients/migrate-cli.js' },
  ];
  for (const { name, script } of commands) {
    it(`${name}: --help prints its usage and exits 0`, async () => {
      // No settings at all: a command that went on to work would fail on them.
      const result = await runNodeScript(join(repositoryRoot, script), { args: ['--help'], env: { APPLICATIONINSIGHTS_CONNECTION_STRING: '' } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Usage: /);
    });
  }

  it('the schema migration refuses an argument it does not know instead of migrating', async () => {
    const result = await runNodeScript(join(repositoryRoot, 'dist/src/clients/migrate-cli.js'), { args: ['--dry-run'], env: { APPLICATIONINSIGHTS_CONNECTION_STRING: '' } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^Unknown argument: --dry-run/);
  });
});
