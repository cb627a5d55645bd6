// Mutation testing of src/jobs (the two functions' work). Run from the project root:
//   npm run test:mutation:jobs             incremental
//   npm run test:mutation:jobs -- --force  every mutant, from scratch
import { mutationConfig } from './stryker-base.js';

export default mutationConfig({
  name: 'jobs',
  // ports.ts is pure types: nothing to mutate.
  mutate: ['src/jobs/**/*.ts', '!src/jobs/ports.ts'],
  // Fastest first (see auth.stryker.config.ts). inventory-sweep is the slow one (about 25 s: Key Vault
  // emulator and PostgreSQL) and the only suite that drives the timer job.
  testFiles: ['rules', 'event-contract', 'signing', 'ingest-events', 'inventory-sweep'].map(
    (name) => `dist/test/functions/${name}.test.js`,
  ),
  breakScore: null,
});
