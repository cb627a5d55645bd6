/** Stand-in runner for the Key Vault, PostgreSQL and Azurite sections until the shared runner lands. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MatrixSection } from './matrix.js';
import { keyVaultSection } from './sections/key-vault.js';
import { postgresSection } from './sections/postgres.js';
import { azuriteSection } from './sections/azurite.js';

for (const matrixSection of [keyVaultSection, postgresSection, azuriteSection] as MatrixSection[]) {
  describe(`reliability: ${matrixSection.group}`, () => {
    let context: unknown;
    before(async () => (context = await matrixSection.start()));
    after(() => matrixSection.stop(context));
    for (const row of matrixSection.rows) {
      it(row.name, async () => {
        const outcome = await row.run(context);
        console.log(`# ${matrixSection.group} | ${row.name} | ${outcome.injected} | ${outcome.outcome} | ${outcome.requests}`);
        for (const c of outcome.checks) assert.ok(c.ok, `${c.rule}${c.detail ? `: ${c.detail}` : ''}`);
      });
    }
  });
}
