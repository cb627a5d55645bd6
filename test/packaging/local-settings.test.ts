/**
 * local.settings.sample.json holds every setting the app reads and nothing else. What the app
 * reads is observed, not listed by hand: the app is loaded as `func start` loads it, its
 * first invocation's services built, in child processes whose environment records each variable
 * the app's own code touches, once per credential mode and SQL engine, with telemetry off and on.
 * A setting someone adds to the code without a line in the sample fails here, by name.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runNodeScript } from '../support/child-process.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import type { FunctionAppReport } from './fixtures/load-function-app.js';
import { repositoryRoot } from './package-manifest.js';

const loadFunctionApp = fileURLToPath(new URL('./fixtures/load-function-app.js', import.meta.url));

interface LocalSettings {
  IsEncrypted: boolean;
  Values: Record<string, unknown>;
}

const sample = JSON.parse(readFileSync(join(repositoryRoot, 'local.settings.sample.json'), 'utf8')) as LocalSettings;
const sampleKeys = Object.keys(sample.Values);

/** Set by the platform when a managed identity is on; a local value would claim an identity this machine lacks. */
const platformSettings = ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER'];
/** Reads by the redaction layer only register values to scrub from logs; they configure nothing. */
const redactionReader = 'dist/src/telemetry/redact.js';
/** Core Tools picks the language worker from it; no code reads it. */
const workerRuntimeSetting = 'FUNCTIONS_WORKER_RUNTIME';

interface Scenario {
  name: string;
  settings(ca: TestCa): Record<string, string>;
}

const postgres = { SQL_ENGINE: 'postgres', POSTGRES_HOST: 'example.postgres.database.azure.com', POSTGRES_DATABASE: 'inventory', POSTGRES_USER: 'func-identity' };
const common = { KEY_VAULT_URL: 'https://example.vault.azure.net', APPLICATIONINSIGHTS_CONNECTION_STRING: '' };

const scenarios: Scenario[] = [
  {
    name: "certificate credentials and PostgreSQL, no telemetry (the sample's own mode)",
    settings: (ca) => ({
      ...common,
      ...postgres,
      DAEMON_CREDENTIAL: 'certificate',
      AZURE_TENANT_ID: '00000000-0000-0000-0000-000000000000',
      AZURE_CLIENT_ID: '11111111-1111-1111-1111-111111111111',
      AZURE_CLIENT_CERTIFICATE_PATH: ca.makeClientCertificate('sample-app').path,
    }),
  },
  {
    name: "the platform's managed identity and Azure SQL, with Application Insights",
    settings: () => ({
      ...common,
      IDENTITY_ENDPOINT: 'http://127.0.0.1:9/msi/token',
      IDENTITY_HEADER: 'not-a-real-header',
      SQL_ENGINE: 'azure-sql',
      AZURE_SQL_SERVER: 'example.database.windows.net',
      AZURE_SQL_DATABASE: 'inventory',
      // Nothing listens there; nothing is sent before this process ends.
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/',
      TELEMETRY_DISABLE_OFFLINE_STORAGE: 'true',
    }),
  },
  {
    name: 'managed identity by configuration (IMDS, as on VMs and AKS) and PostgreSQL',
    settings: () => ({ ...common, ...postgres, DAEMON_CREDENTIAL: 'managed-identity' }),
  },
];

describe('local.settings.sample.json against what the app reads', () => {
  let ca: TestCa;
  const reports: { scenario: string; report: FunctionAppReport }[] = [];
  /** Setting -> the app files that read it, over every scenario. */
  const readers = new Map<string, Set<string>>();
  const written = new Set<string>();

  before(async () => {
    ca = createTestCa();
    const results = await Promise.all(
      scenarios.map(async (scenario) => ({
        scenario: scenario.name,
        result: await runNodeScript(loadFunctionApp, { args: ['--record-settings', JSON.stringify(scenario.settings(ca))], timeoutMs: 60_000 }),
      })),
    );
    for (const { scenario, result } of results) {
      assert.equal(result.code, 0, `${scenario}: the app did not load:\n${result.stderr}`);
      const report = JSON.parse(result.stdout) as FunctionAppReport;
      reports.push({ scenario, report });
      for (const [name, files] of Object.entries(report.environment?.reads ?? {})) {
        for (const file of files) readers.set(name, (readers.get(name) ?? new Set()).add(file));
      }
      report.environment?.writes.forEach((name) => written.add(name));
    }
  });
  after(() => ca.cleanup());

  /** Read by the app's code to configure it: not only to redact, not a switch it sets itself. */
  const settingsRead = (): string[] =>
    [...readers]
      .filter(([name, files]) => [...files].some((file) => file !== redactionReader) && !written.has(name))
      .map(([name]) => name)
      .sort();
  const describeReaders = (name: string): string => `${name} (read by ${[...(readers.get(name) ?? [])].join(', ')})`;

  /** What the host itself reads: the worker runtime, each binding's connection and %setting% reference. */
  const hostSettings = (): string[] => {
    const bindings = reports.flatMap(({ report }) => report.functions.flatMap((fn) => Object.values(fn.bindings)));
    const connections = bindings.flatMap((binding) => (typeof binding.connection === 'string' ? [binding.connection] : []));
    const references = bindings.flatMap((binding) => Object.values(binding).flatMap((value) => (typeof value === 'string' ? [...value.matchAll(/%([^%]+)%/g)].map((match) => match[1] ?? '') : [])));
    return [...new Set([workerRuntimeSetting, ...connections, ...references])].sort();
  };

  it('sees the app read its settings by name, and never list the whole environment', () => {
    for (const name of ['KEY_VAULT_URL', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_SQL_SERVER', 'TELEMETRY_DISABLE_OFFLINE_STORAGE', 'AZURE_POD_IDENTITY_AUTHORITY_HOST']) {
      assert.ok(readers.has(name), `the recorder saw ${name} read`);
    }
    for (const { scenario, report } of reports) assert.deepEqual(report.environment?.enumeratedBy, [], `${scenario}: enumerating the environment hides what is read`);
  });

  it('has a line for every setting the app reads, in every credential mode and SQL engine', () => {
    const missing = settingsRead().filter((name) => !sampleKeys.includes(name) && !platformSettings.includes(name));
    assert.deepEqual(missing.map(describeReaders), [], 'add these to local.settings.sample.json (and the README table)');
  });

  it('has no line the app or the host does not read', () => {
    const read = new Set([...settingsRead(), ...hostSettings()]);
    assert.deepEqual(sampleKeys.filter((name) => !read.has(name)), [], 'stale: nothing reads these any more');
  });

  it('leaves out the identity variables only the platform sets (a local value would switch to managed identity)', () => {
    assert.deepEqual(sampleKeys.filter((name) => platformSettings.includes(name)), []);
  });

  it("gives the host what it reads: the node worker, and Azurite's storage for every trigger's connection", () => {
    assert.equal(sample.Values[workerRuntimeSetting], 'node');
    for (const name of hostSettings().filter((setting) => setting !== workerRuntimeSetting)) {
      assert.equal(sample.Values[name], 'UseDevelopmentStorage=true', `${name}: npm run azurite serves UseDevelopmentStorage=true`);
    }
  });

  it('is the plain (not encrypted) form, every value a string, as Core Tools reads it', () => {
    assert.equal(sample.IsEncrypted, false);
    assert.deepEqual(sampleKeys.filter((name) => typeof sample.Values[name] !== 'string'), []);
  });
});
