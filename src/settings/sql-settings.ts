/**
 * The SQL settings alone: what the functions and the migration CLI both need. The CLI reads only
 * these and the identity settings, so a deployment pipeline need not invent a KEY_VAULT_URL.
 */
import type { AzureSqlConnectionSettings } from '../clients/azure-sql-options.js';
import type { PostgresConnectionSettings } from '../clients/postgres-options.js';
import type { Environment } from '../environment.js';
import { settingDefaults } from './defaults.js';
import { AppSettingError, appSettingReader } from './setting-error.js';

/** The adapters' own connection settings, tagged with the engine SQL_ENGINE chose. */
export type PostgresSettings = { engine: 'postgres' } & PostgresConnectionSettings;
export type AzureSqlSettings = { engine: 'azure-sql' } & AzureSqlConnectionSettings;

export type SqlSettings = PostgresSettings | AzureSqlSettings;

export function readSqlSettings(env: Environment): SqlSettings {
  const settings = appSettingReader(env);
  const engine = settings.read('SQL_ENGINE') ?? 'postgres';
  const poolMax = settings.integer('SQL_POOL_MAX', settingDefaults.sqlPoolMax, 1, 100);
  if (engine === 'postgres') {
    return {
      engine,
      host: settings.required('POSTGRES_HOST', 'the server name, e.g. <server>.postgres.database.azure.com'),
      port: settings.integer('POSTGRES_PORT', settingDefaults.postgresPort, 1, 65_535),
      database: settings.required('POSTGRES_DATABASE', 'the database the migrations created'),
      user: settings.required('POSTGRES_USER', 'the Entra principal name created with pgaadauth_create_principal'),
      ssl: settings.boolean('POSTGRES_SSL', true),
      poolMax,
    };
  }
  if (engine === 'azure-sql') {
    return {
      engine,
      server: settings.required('AZURE_SQL_SERVER', 'the server name, e.g. <server>.database.windows.net'),
      port: settings.integer('AZURE_SQL_PORT', settingDefaults.azureSqlPort, 1, 65_535),
      database: settings.required('AZURE_SQL_DATABASE', 'the database the migrations created'),
      poolMax,
    };
  }
  throw new AppSettingError('SQL_ENGINE', `SQL_ENGINE must be "postgres" or "azure-sql", got "${engine}"`);
}
