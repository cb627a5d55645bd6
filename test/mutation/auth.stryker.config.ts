// Mutation testing of src/auth (the token provider). Run from the project root (Stryker loads
// this file compiled, from dist/test/mutation):
//   npm run test:mutation             incremental: only mutants whose code or tests changed
//   npm run test:mutation -- --force  every mutant, from scratch
// Stryker copies the project to a sandbox, writes every mutant into the sources at once (mutant
// schemata), compiles them once with tsc and runs the compiled node:test files with the tap runner,
// one process per test file, only the files that cover the mutant (per-file coverage).
import { mutationConfig } from './stryker-base.js';

export default mutationConfig({
  name: 'auth',
  // types.ts and token-source.ts are pure types: nothing to mutate.
  mutate: ['src/auth/**/*.ts', '!src/auth/types.ts', '!src/auth/token-source.ts'],
  // The suites that exercise src/auth in-process, on the virtual clock; the end-to-end suites
  // (functions, local run, reliability, bench, the Application Insights export children) only
  // repeat what these state and take minutes. Fastest first: a mutant runs the files that cover it
  // in this order and stops at the first failure, so the cheap suites kill most mutants.
  // A new test file for src/auth belongs in this list.
  testFiles: [
    'unit/network-errors',
    'unit/background-context',
    'unit/gate-wait',
    'unit/system-clock',
    'unit/timing-rules',
    'unit/same-token-refresh',
    'unit/refresh-jitter',
    'unit/platform-response',
    'unit/certificate-errors',
    'unit/token-error',
    'unit/retry-after-gate',
    'unit/backoff',
    'unit/single-flight',
    'unit/managed-identity-source',
    'unit/scope-and-credential',
    'unit/http-transport',
    'unit/recording-http-client',
    'unit/retry-after-forms',
    'telemetry/deferred-telemetry',
    'telemetry/token-cache-metrics',
    'telemetry/token-event-mapping',
    'telemetry/redact',
    'telemetry/noop-telemetry',
    'auth/cache-hit-path',
    'auth/refresh-schedule',
    'auth/provider-unexpected-failure',
    'auth/provider-event-facts',
    'auth/gate-wait',
    'auth/outage-recovery',
    'auth/events',
    'auth/provider-edges',
    'auth/safe-inspection',
    'auth/credential-settings',
    'auth/certificate-rotation',
    'auth/certificate-source',
    'auth/create-provider',
    'auth/error-classification',
    'auth/provider-rules',
    'auth/provider-timing',
    'auth/refused-token',
    'auth/same-token-refresh',
    'auth/refresh-jitter',
    'auth/hang-recovery',
    'auth/refresh-demand',
    'telemetry/background-refresh-telemetry',
    'telemetry/provider-telemetry',
    'auth/runtime-singleton',
  ].map((name) => `dist/test/${name}.test.js`),
  // The target for src/auth: the run fails below it.
  breakScore: 85,
});
