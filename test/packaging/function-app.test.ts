/**
 * `func start` loads what package.json `main` matches, and the worker registers what those files
 * register. Core Tools cannot run here, so the worker's part is played by the core API stand-in
 * (test/support/functions-core-shim.ts) under the real @azure/functions `app`, in a fresh child
 * process: the built files that `main` names register both functions with the trigger settings
 * the host needs.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runNodeScript } from '../support/child-process.js';
import type { RegisteredBinding } from '../../src/sandbox/host/functions-core-shim.js';
import type { FunctionAppReport } from './fixtures/load-function-app.js';
import { manifest, repositoryRoot } from './package-manifest.js';

const loadFunctionApp = fileURLToPath(new URL('./fixtures/load-function-app.js', import.meta.url));

/** Enough for the app to load (nothing is called): a platform managed identity, a vault, PostgreSQL. */
const settings = {
  IDENTITY_ENDPOINT: 'http://127.0.0.1:9/msi/token',
  IDENTITY_HEADER: 'not-a-real-header',
  KEY_VAULT_URL: 'https://example.vault.azure.net',
  SQL_ENGINE: 'postgres',
  POSTGRES_HOST: 'example.postgres.database.azure.com',
  POSTGRES_DATABASE: 'inventory',
  POSTGRES_USER: 'func-identity',
  APPLICATIONINSIGHTS_CONNECTION_STRING: '',
  INVENTORY_SWEEP_SCHEDULE: '0 30 1 * * *',
  INGEST_QUEUE_NAME: 'device-events',
};

/** The settings a binding carries, without the generated name and worker-internal properties. */
function settingsOf(binding: RegisteredBinding | undefined): Record<string, unknown> | undefined {
  if (binding === undefined) return undefined;
  const { name: _name, properties: _properties, ...rest } = binding;
  return rest;
}

describe('package.json main, loaded as the Functions worker loads it', () => {
  let report: FunctionAppReport;
  const fn = (name: string): FunctionAppReport['functions'][number] | undefined => report.functions.find((candidate) => candidate.name === name);
  const trigger = (name: string): RegisteredBinding | undefined => Object.values(fn(name)?.bindings ?? {}).find((binding) => binding.direction === 'in' && binding.type.endsWith('Trigger'));

  before(async () => {
    const result = await runNodeScript(loadFunctionApp, { env: settings });
    assert.equal(result.code, 0, `loading main failed:\n${result.stderr}`);
    report = JSON.parse(result.stdout) as FunctionAppReport;
  });

  it(`"${manifest.main}" matches built JavaScript under dist/, compiled from a source that exists`, () => {
    assert.ok(report.mainFiles.length > 0, 'main matches no file: is the project built?');
    for (const file of report.mainFiles) {
      assert.match(file, /^dist\/.+\.js$/);
      assert.ok(existsSync(join(repositoryRoot, file.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), `${file} has a TypeScript source`);
    }
  });

  it('registers exactly inventorySweep and ingestEvents', () => {
    assert.deepEqual(report.functions.map((candidate) => candidate.name).sort(), ['ingestEvents', 'inventorySweep']);
  });

  it('inventorySweep: a timer on the NCRONTAB schedule of INVENTORY_SWEEP_SCHEDULE that never runs on start-up', () => {
    assert.deepEqual(settingsOf(trigger('inventorySweep')), { type: 'timerTrigger', direction: 'in', schedule: '0 30 1 * * *', runOnStartup: false });
  });

  it('ingestEvents: a queue trigger on INGEST_QUEUE_NAME over AzureWebJobsStorage, with its poison queue as an output', () => {
    assert.deepEqual(settingsOf(trigger('ingestEvents')), { type: 'queueTrigger', direction: 'in', queueName: 'device-events', connection: 'AzureWebJobsStorage' });
    const outputs = Object.values(fn('ingestEvents')?.bindings ?? {}).filter((binding) => binding.direction === 'out');
    assert.deepEqual(outputs.map(settingsOf), [{ type: 'queue', direction: 'out', queueName: 'device-events-poison', connection: 'AzureWebJobsStorage' }]);
  });
});
