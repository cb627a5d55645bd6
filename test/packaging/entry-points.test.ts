/**
 * Three faces, each loading only what it needs (design, section 8): importing the library for a
 * token loads no SQL driver, no Key Vault SDK, no Functions framework; each client entry point
 * loads its own SDK and no other. Each import runs in a fresh child process, by package name,
 * so `exports` is what resolves it.
 */
import assert from 'node:assert/strict';
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runNodeScript } from '../support/child-process.js';
import type { LoadReport } from './fixtures/load-entry.js';
import { publicEntries } from './package-manifest.js';

const loadEntry = fileURLToPath(new URL('./fixtures/load-entry.js', import.meta.url));

/** Heavy packages an entry point may only load when it is the one that needs them. */
const guarded = ['mssql', 'tedious', 'pg', '@azure/keyvault-secrets', 'applicationinsights', '@azure/functions', '@azure/identity', '@azure/msal-node'];

/** tedious imports @azure/identity (and so MSAL) for its own Entra authentication types. */
const tediousBrings = ['@azure/identity', '@azure/msal-node'];

/** What each entry point needs, of the guarded packages: everything else guarded must stay unloaded. */
const needs: Record<string, readonly string[]> = {
  // Managed identity speaks the protocol itself: @azure/identity loads only for a certificate credential.
  '.': [],
  './clients': ['mssql', 'tedious', 'pg', '@azure/keyvault-secrets', ...tediousBrings],
  './clients/key-vault': ['@azure/keyvault-secrets'],
  './clients/postgres': ['pg'],
  './clients/azure-sql': ['mssql', 'tedious', ...tediousBrings],
  './jobs': [],
};

// module.registerHooks arrived in Node 22.15; engines still admits 22.12-22.14.
const skip = typeof module.registerHooks === 'function' ? false : 'needs module.registerHooks (Node 22.15 or later)';

async function load(specifier: string): Promise<LoadReport> {
  // Telemetry unconfigured: given a connection string, the library loads the SDK at start-up, by design.
  const result = await runNodeScript(loadEntry, { args: [specifier], env: { APPLICATIONINSIGHTS_CONNECTION_STRING: '' } });
  assert.equal(result.code, 0, `importing ${specifier} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as LoadReport;
}

describe('each entry point loads only what it needs', { skip }, () => {
  it('every entry point in exports says what it needs', () => {
    assert.deepEqual(publicEntries().map((entry) => entry.subpath).sort(), Object.keys(needs).sort());
  });

  for (const { subpath, specifier } of publicEntries()) {
    const needed = needs[subpath] ?? [];
    const label = needed.length === 0 ? 'none of the guarded packages' : `${needed.join(', ')} and no other guarded package`;
    it(`${specifier} loads ${label}`, async () => {
      const { packages } = await load(specifier);
      assert.deepEqual(guarded.filter((name) => packages.includes(name)), guarded.filter((name) => needed.includes(name)));
    });
  }
});
