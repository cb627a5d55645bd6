// Mutation testing of src/jobs (the two functions' work). Run from the project root:
//   npm run test:mutation:jobs             incremental
//   npm run test:mutation:jobs -- --force  every mutant, from scratch
import { mutationConfig } from './stryker-base.js';

export default mutationConfig({
  name: 'jobs',
  // ports.ts is pure types: nothing to mutate.
  mutate: ['src/jobs/**/*.ts', '!src/jobs/ports.ts'],
  // Fastest first (see auth.stryker.config.ts). inventory-sweep.test.ts (the timer job end to end on
  // the Key Vault emulator and PostgreSQL, about 25 s) is left out: inventory-sweep-rules states each
  // rule it checks (bounded stages, a failed item reported, a throttled listing relisted once per
  // secret, the expiry report, the summary) over in-memory ports in about a second, and what only the
  // end-to-end suite reaches (paging, the upsert SQL, the handler's registration) lives outside
  // src/jobs. Kept in, it would add 25 s to every surviving sweep or retry mutant and static mutant.
  testFiles: ['rules', 'inventory-sweep-rules', 'ingest-rules', 'event-contract', 'signing', 'ingest-events'].map(
    (name) => `dist/test/functions/${name}.test.js`,
  ),
  breakScore: 95,
});
