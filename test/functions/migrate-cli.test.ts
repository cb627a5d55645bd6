/**
 * The migration CLI runs in a deployment pipeline with the SQL and identity settings only: none
 * of the functions' own settings (KEY_VAULT_URL, …) may be required. Checked on its settings
 * reader and on the real CLI, run in a child process against PostgreSQL and the identity emulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isTokenError } from '../../src/auth/errors.js';
import { createTokenProvider } from '../../src/auth/create-provider.js';
import { credentialSettingsFromEnvironment } from '../../src/auth/credential-settings.js';
import { readMigrateCliSettings } from '../../src/clients/migrate-cli-settings.js';
import { postgresScope } from '../../src/clients/postgres-options.js';
import { AppSettingError, readAppSettings } from '../../src/settings/app-settings.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import { runNodeScript } from '../support/child-process.js';
import { startPostgres, type LocalPostgres } from '../support/postgres.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';

const migrateCli = fileURLToPath(new URL('../../src/clients/migrate-cli.js', import.meta.url));
const identityEnv = { IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi/token', IDENTITY_HEADER: 'header' };
const postgresEnv = { POSTGRES_HOST: 'db.example', POSTGRES_DATABASE: 'inventory', POSTGRES_USER: 'migrator' };

describe('migration CLI settings: SQL and identity, nothing else', () => {
  it('reads PostgreSQL settings and a managed identity, with no function setting present', () => {
    const settings = readMigrateCliSettings({ ...postgresEnv, ...identityEnv });
    assert.deepEqual(settings.sql, { engine: 'postgres', host: 'db.example', port: 5432, database: 'inventory', user: 'migrator', ssl: true, poolMax: 10 });
    assert.equal(settings.credential.kind, 'managed-identity');
    assert.throws(() => readAppSettings({ ...postgresEnv, ...identityEnv }), (error) => error instanceof AppSettingError && error.setting === 'KEY_VAULT_URL', 'the functions would refuse this environment');
  });

  it('reads Azure SQL settings the same way', () => {
    const settings = readMigrateCliSettings({ SQL_ENGINE: 'azure-sql', AZURE_SQL_SERVER: 'srv.database.windows.net', AZURE_SQL_DATABASE: 'inventory', ...identityEnv });
    assert.deepEqual(settings.sql, { engine: 'azure-sql', server: 'srv.database.windows.net', port: 1433, database: 'inventory', poolMax: 10 });
  });

  for (const missing of ['POSTGRES_HOST', 'POSTGRES_DATABASE', 'POSTGRES_USER'] as const) {
    it(`a missing ${missing} is an error naming it, before any identity setting is looked at`, () => {
      const env: Record<string, string | undefined> = { ...postgresEnv, [missing]: undefined };
      assert.throws(() => readMigrateCliSettings(env), (error) => error instanceof AppSettingError && error.setting === missing && error.message.includes(missing));
    });
  }

  it('no identity settings is the provider\'s configuration error', () => {
    assert.throws(() => readMigrateCliSettings(postgresEnv), (error) => isTokenError(error) && error.code === 'configuration_error');
  });
});

describe('migration CLI, run as a pipeline runs it', () => {
  let ca: TestCa;
  let identity: IdentityEmulator;
  let postgres: LocalPostgres;
  let childEnv: Record<string, string>;

  before(async () => {
    ca = createTestCa();
    [identity, postgres] = await Promise.all([startIdentityEmulator({ ca }), startPostgres()]);
    const emulatorIdentity = { IDENTITY_ENDPOINT: identity.managedIdentityEndpoint, IDENTITY_HEADER: identity.identityHeader };
    // The deployer's identity may create tables; its password is the token the emulator hands
    // that identity (the emulator, like IMDS, hands the same token out again to the CLI).
    const provider = createTokenProvider({ credential: credentialSettingsFromEnvironment(emulatorIdentity) });
    const token = (await provider.getToken(postgresScope)).token;
    provider.close();
    await postgres.admin.query('CREATE ROLE deploy_migrator LOGIN');
    await postgres.admin.query('GRANT CREATE, USAGE ON SCHEMA public TO deploy_migrator');
    await postgres.setPassword('deploy_migrator', token);
    childEnv = { ...emulatorIdentity, POSTGRES_HOST: postgres.host, POSTGRES_PORT: String(postgres.port), POSTGRES_DATABASE: postgres.database, POSTGRES_USER: 'deploy_migrator', POSTGRES_SSL: 'false' };
    assert.equal(process.env['KEY_VAULT_URL'], undefined, 'the child inherits no function settings');
  });

  after(async () => {
    await Promise.all([identity.stop(), postgres.stop()]);
    ca.cleanup();
  });

  it('applies the migrations with only SQL and identity settings, then finds nothing to do', async () => {
    const first = await runNodeScript(migrateCli, { env: childEnv });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), 'applied: 001_secret_inventory_and_events');
    const tables = await postgres.admin.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    assert.deepEqual(tables.rows.map((row) => row.tablename), ['ingested_events', 'schema_migrations', 'secret_inventory']);
    const again = await runNodeScript(migrateCli, { env: childEnv });
    assert.equal(again.stdout.trim(), 'applied: nothing (up to date)');
  });

  it('a missing SQL setting fails the run with a message naming it', async () => {
    const run = await runNodeScript(migrateCli, { env: { ...childEnv, POSTGRES_HOST: '' } });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /POSTGRES_HOST/);
    assert.doesNotMatch(run.stderr, /KEY_VAULT_URL/);
  });
});
