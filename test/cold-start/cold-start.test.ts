/**
 * The shape of a cold start, not its speed (wall-clock numbers are for cold-start.js): in a fresh
 * process with telemetry on, the first token arrives before any heavy package is loaded, and the
 * app's `main` registers both functions with only the Functions framework added.
 */
import assert from 'node:assert/strict';
import module from 'node:module';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { startIdentityEmulator } from '../../src/sandbox/identity/index.js';
import type { IdentityEmulator } from '../../src/sandbox/identity/index.js';
import { startIngestionServer, type IngestionServer } from '../../src/sandbox/ingestion/index.js';
import { runNodeScript } from '../support/child-process.js';
import type { ColdStartSample } from './cold-start-child.js';

const child = fileURLToPath(new URL('./cold-start-child.js', import.meta.url));
const heavy = ['@azure/identity', '@azure/msal-node', 'applicationinsights', '@opentelemetry/sdk-node', 'mssql', 'tedious', 'pg', '@azure/keyvault-secrets'];

// module.registerHooks arrived in Node 22.15; engines still admits 22.12-22.14.
const skip = typeof module.registerHooks === 'function' ? false : 'needs module.registerHooks (Node 22.15 or later)';

describe('cold start: the first token comes before any heavy package loads', { skip }, () => {
  let ca: TestCa;
  let identity: IdentityEmulator;
  let ingestion: IngestionServer;
  let env: Record<string, string>;

  before(async () => {
    ca = createTestCa();
    identity = await startIdentityEmulator({ ca });
    ingestion = await startIngestionServer({ tls: { cert: ca.serverCertPem, key: ca.serverKeyPem } });
    env = {
      IDENTITY_ENDPOINT: identity.managedIdentityEndpoint,
      IDENTITY_HEADER: identity.identityHeader,
      APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
      NODE_EXTRA_CA_CERTS: ca.caCertPath,
      TELEMETRY_DISABLE_OFFLINE_STORAGE: 'true',
      COLD_START_COUNT_MODULES: '1',
      KEY_VAULT_URL: 'https://127.0.0.1:9',
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_DATABASE: 'cold',
      POSTGRES_USER: 'cold',
    };
  });

  after(async () => {
    await Promise.all([identity.stop(), ingestion.stop()]);
    ca.cleanup();
  });

  async function coldStart(scenario: string): Promise<ColdStartSample> {
    const result = await runNodeScript(child, { args: [scenario], env, timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as ColdStartSample;
  }

  it('the library, telemetry on, managed identity: no @azure/identity, MSAL or telemetry SDK before the first token', async () => {
    const sample = await coldStart('library');
    assert.deepEqual(heavy.filter((name) => sample.packages?.includes(name)), []);
  });

  it("the app's main, telemetry on: both functions registered and a token, with only @azure/functions added", async () => {
    const sample = await coldStart('app');
    assert.deepEqual(sample.registered, ['inventorySweep', 'ingestEvents']);
    assert.deepEqual(heavy.filter((name) => sample.packages?.includes(name)), []);
    assert.ok(sample.packages?.includes('@azure/functions'));
  });
});
