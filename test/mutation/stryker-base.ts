/**
 * What the src/auth and src/jobs mutation runs share. Stryker loads the compiled configs from
 * dist/test/mutation (the npm scripts build first). The machine's cores are shared, so one test
 * process at a time; reports go to reports/mutation/ (git-ignored), the incremental file next to
 * the config sources (committed, so that an incremental run starts from the last recorded one).
 */
import type { PartialStrykerOptions } from '@stryker-mutator/api/core';

export interface MutationTarget {
  name: 'auth' | 'jobs';
  mutate: string[];
  /** Compiled test files, fastest first. */
  testFiles: string[];
  /** Lowest mutation score that passes; null: report only. */
  breakScore: number | null;
}

export function mutationConfig({ name, mutate, testFiles, breakScore }: MutationTarget): PartialStrykerOptions {
  return {
    packageManager: 'npm',
    mutate,
    testRunner: 'tap',
    tap: {
      testFiles,
      // Run each file directly (not under `node --test`, which would start a second process that
      // the runner's hook does not reach); node:test then prints TAP to the pipe. The tests named
      // "real time" repeat a virtual-clock test at wall-clock speed (seconds each): the virtual
      // twin states the same rule, so mutants are judged by it.
      nodeArgs: ['-r', '{{hookFile}}', '--test-reporter=tap', '--test-skip-pattern=real time', '{{testFile}}'],
      forceBail: true,
    },
    // tsc compiles the instrumented sources and the tests to the sandbox's dist once per run.
    // Declarations and source maps are not needed to run the tests.
    buildCommand: 'tsc -p tsconfig.json --declaration false --sourceMap false',
    // The tap runner reports coverage per test file: a mutant runs only the files that reach it.
    coverageAnalysis: 'perTest',
    concurrency: 1,
    // The suites run the provider on a virtual clock: a mutant that loops or stops a timer from
    // firing hangs until this margin over the file's normal time has passed.
    timeoutMS: 10_000,
    dryRunTimeoutMinutes: 10,
    // dist stays in: the incremental mode compares the compiled test files with the last run's.
    ignorePatterns: ['reports', '.stryker-tmp', 'coverage', '.azurite'],
    incrementalFile: `test/mutation/${name}.incremental.json`,
    tempDirName: '.stryker-tmp',
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
    thresholds: { high: 90, low: 85, break: breakScore },
  };
}
