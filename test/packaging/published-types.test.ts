/**
 * The published declarations compile in a user's project that checks every declaration file
 * (`skipLibCheck: false`, `strict`, NodeNext) and has only what installing this package brings.
 * A declaration that mentions a type from a devDependency (`@types/mssql`), or from a package
 * that is only there because something deep in the tree happens to depend on it (`@types/pg`,
 * pulled in by Application Insights' PostgreSQL instrumentation), breaks that project's build.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createConsumerProject, type ConsumerLayout, type ConsumerProject } from './consumer-project.js';
import { consumerSource } from './consumer-source.js';
import { publicEntries, repositoryRoot } from './package-manifest.js';

describe('published types compile for a consumer with skipLibCheck: false', () => {
  const projects: ConsumerProject[] = [];
  after(() => projects.forEach((project) => project.remove()));

  function compileConsumer(layout: ConsumerLayout): string {
    const project = createConsumerProject(layout, consumerSource(publicEntries()));
    projects.push(project);
    const result = project.compile();
    assert.ok(result.ok, `the consumer project (${layout} layout) does not compile:\n${result.output}`);
    return result.output;
  }

  it('every entry point declares its types next to its code, and both are built', () => {
    for (const { subpath, target } of publicEntries()) {
      const { types = '', default: code = '' } = target;
      assert.ok(types.endsWith('.d.ts') && code.endsWith('.js'), `${subpath} needs a types and a default condition`);
      assert.equal(Object.keys(target)[0], 'types', `${subpath}: types comes first (conditions match in order)`);
      assert.equal(types.replace(/\.d\.ts$/, ''), code.replace(/\.js$/, ''), `${subpath}: types and code come from one module`);
      for (const file of [types, code]) assert.ok(existsSync(join(repositoryRoot, file)), `${subpath}: ${file} is built`);
    }
  });

  it("with npm's tree of the production dependencies, every entry point compiles", () => {
    compileConsumer('npm');
  });

  it('with only the direct dependencies at the top (as pnpm installs), no declaration leans on a hoisted package', () => {
    compileConsumer('direct');
  });
});
