/**
 * Every app setting the functions read, parsed and validated once. A bad or missing setting is
 * an AppSettingError that names it; jobs receive typed values and never read `process.env`.
 * The token provider's own settings (IDENTITY_ENDPOINT, AZURE_CLIENT_ID, …) are read by src/auth.
 */
import type { AzureSqlConnectionSettings } from '../clients/azure-sql-options.js';
import type { PostgresConnectionSettings } from '../clients/postgres-options.js';
import { settingReader, type Environment, type SettingReader } from '../environment.js';
import { settingDefaults } from './defaults.js';

export class AppSettingError extends Error {
  override readonly name = 'AppSettingError';
  readonly code = 'configuration_error';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${message} (setting: ${setting})`);
  }
}

/** The adapters' own connection settings, tagged with the engine SQL_ENGINE chose. */
export type PostgresSettings = { engine: 'postgres' } & PostgresConnectionSettings;
export type AzureSqlSettings = { engine: 'azure-sql' } & AzureSqlConnectionSettings;

export type SqlSettings = PostgresSettings | AzureSqlSettings;

export interface AppSettings {
  keyVaultUrl: string;
  keyVaultSecretCacheTtlMs: number;
  sql: SqlSettings;
  inventorySweep: {
    /** NCRONTAB with seconds, e.g. `0 0 2 * * *`. */
    schedule: string;
    concurrency: number;
    expiryWindowMs: number;
  };
  ingest: {
    queueName: string;
    signingKeySecretName: string;
    maxMessageBytes: number;
  };
}

export type { Environment } from '../environment.js';

/** App settings fail as AppSettingError, naming the setting. */
function readerOf(env: Environment): SettingReader {
  return settingReader(env, (setting, message) => new AppSettingError(setting, message));
}

/** The trigger bindings are fixed when the module registers them, before any work runs. */
export interface TriggerSettings {
  inventorySweepSchedule: string;
  ingestQueueName: string;
}

function httpsUrl(settings: SettingReader, name: string, hint: string): string {
  return settings.url(name, settings.required(name, hint), ['https:']).origin;
}

/** NCRONTAB as the Functions host reads it: six fields, seconds first. */
function ncrontab(settings: SettingReader, name: string, fallback: string): string {
  const value = settings.read(name) ?? fallback;
  if (value.split(/\s+/).length !== 6) {
    throw new AppSettingError(name, `${name} must be an NCRONTAB expression with six fields ({second} {minute} {hour} {day} {month} {day-of-week}), got "${value}"`);
  }
  return value;
}

/** Storage queue names: 3-63 lowercase letters, digits and single hyphens; `-poison` must still fit. */
function queueName(settings: SettingReader, name: string, fallback: string): string {
  const value = settings.read(name) ?? fallback;
  if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,54}[a-z0-9]$/.test(value)) {
    throw new AppSettingError(name, `${name} must be a storage queue name of 3-56 lowercase letters, digits and single hyphens (room for "-poison"), got "${value}"`);
  }
  return value;
}

export function readTriggerSettings(env: Environment): TriggerSettings {
  const settings = readerOf(env);
  return {
    inventorySweepSchedule: ncrontab(settings, 'INVENTORY_SWEEP_SCHEDULE', settingDefaults.inventorySweepSchedule),
    ingestQueueName: queueName(settings, 'INGEST_QUEUE_NAME', settingDefaults.ingestQueueName),
  };
}

function readSql(settings: SettingReader): SqlSettings {
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

export function readAppSettings(env: Environment): AppSettings {
  const settings = readerOf(env);
  const triggers = readTriggerSettings(env);
  return {
    keyVaultUrl: httpsUrl(settings, 'KEY_VAULT_URL', 'the vault URI, e.g. https://<vault>.vault.azure.net'),
    keyVaultSecretCacheTtlMs: settings.integer('KEY_VAULT_SECRET_CACHE_TTL_SECONDS', settingDefaults.secretCacheTtlSeconds, 0, 86_400) * 1000,
    sql: readSql(settings),
    inventorySweep: {
      schedule: triggers.inventorySweepSchedule,
      concurrency: settings.integer('INVENTORY_SWEEP_CONCURRENCY', settingDefaults.sweepConcurrency, 1, 64),
      expiryWindowMs: settings.integer('INVENTORY_EXPIRY_WINDOW_DAYS', settingDefaults.expiryWindowDays, 0, 3650) * 86_400_000,
    },
    ingest: {
      queueName: triggers.ingestQueueName,
      signingKeySecretName: settings.read('INGEST_SIGNING_KEY_SECRET_NAME') ?? settingDefaults.signingKeySecretName,
      maxMessageBytes: settings.integer('INGEST_MAX_MESSAGE_BYTES', settingDefaults.maxMessageBytes, 256, 65_536),
    },
  };
}

let cached: AppSettings | undefined;

/** The settings of this instance, read from `process.env` on first use. */
export function getAppSettings(): AppSettings {
  cached ??= readAppSettings(process.env);
  return cached;
}
