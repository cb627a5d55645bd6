/**
 * Every app setting the functions read, parsed and validated once. A bad or missing setting is
 * an AppSettingError that names it; jobs receive typed values and never read `process.env`.
 * The token provider's own settings (IDENTITY_ENDPOINT, AZURE_CLIENT_ID, …) are read by src/auth.
 */
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

export interface PostgresSettings {
  engine: 'postgres';
  host: string;
  port: number;
  database: string;
  /** The Entra principal's name as created in PostgreSQL (the managed identity's display name). */
  user: string;
  /** TLS to the server; Azure Database for PostgreSQL requires it. */
  ssl: boolean;
  poolMax: number;
}

export interface AzureSqlSettings {
  engine: 'azure-sql';
  server: string;
  port: number;
  database: string;
  poolMax: number;
}

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

export type Environment = Readonly<Record<string, string | undefined>>;

/** The trigger bindings are fixed when the module registers them, before any work runs. */
export interface TriggerSettings {
  inventorySweepSchedule: string;
  ingestQueueName: string;
}

function read(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function required(env: Environment, name: string, hint: string): string {
  const value = read(env, name);
  if (value === undefined) throw new AppSettingError(name, `${name} is not set: ${hint}`);
  return value;
}

function integer(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new AppSettingError(name, `${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function boolean(env: Environment, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new AppSettingError(name, `${name} must be true or false, got "${raw}"`);
}

function httpsUrl(env: Environment, name: string, hint: string): string {
  const raw = required(env, name, hint);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppSettingError(name, `${name} must be a URL such as https://<vault>.vault.azure.net, got "${raw}"`);
  }
  if (url.protocol !== 'https:') throw new AppSettingError(name, `${name} must be an https URL`);
  return url.origin;
}

/** NCRONTAB as the Functions host reads it: six fields, seconds first. */
function ncrontab(env: Environment, name: string, fallback: string): string {
  const value = read(env, name) ?? fallback;
  if (value.split(/\s+/).length !== 6) {
    throw new AppSettingError(name, `${name} must be an NCRONTAB expression with six fields ({second} {minute} {hour} {day} {month} {day-of-week}), got "${value}"`);
  }
  return value;
}

/** Storage queue names: 3-63 lowercase letters, digits and single hyphens; `-poison` must still fit. */
function queueName(env: Environment, name: string, fallback: string): string {
  const value = read(env, name) ?? fallback;
  if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,54}[a-z0-9]$/.test(value)) {
    throw new AppSettingError(name, `${name} must be a storage queue name of 3-56 lowercase letters, digits and single hyphens (room for "-poison"), got "${value}"`);
  }
  return value;
}

export function readTriggerSettings(env: Environment): TriggerSettings {
  return {
    inventorySweepSchedule: ncrontab(env, 'INVENTORY_SWEEP_SCHEDULE', settingDefaults.inventorySweepSchedule),
    ingestQueueName: queueName(env, 'INGEST_QUEUE_NAME', settingDefaults.ingestQueueName),
  };
}

function readSql(env: Environment): SqlSettings {
  const engine = read(env, 'SQL_ENGINE') ?? 'postgres';
  const poolMax = integer(env, 'SQL_POOL_MAX', settingDefaults.sqlPoolMax, 1, 100);
  if (engine === 'postgres') {
    return {
      engine,
      host: required(env, 'POSTGRES_HOST', 'the server name, e.g. <server>.postgres.database.azure.com'),
      port: integer(env, 'POSTGRES_PORT', settingDefaults.postgresPort, 1, 65_535),
      database: required(env, 'POSTGRES_DATABASE', 'the database the migrations created'),
      user: required(env, 'POSTGRES_USER', 'the Entra principal name created with pgaadauth_create_principal'),
      ssl: boolean(env, 'POSTGRES_SSL', true),
      poolMax,
    };
  }
  if (engine === 'azure-sql') {
    return {
      engine,
      server: required(env, 'AZURE_SQL_SERVER', 'the server name, e.g. <server>.database.windows.net'),
      port: integer(env, 'AZURE_SQL_PORT', settingDefaults.azureSqlPort, 1, 65_535),
      database: required(env, 'AZURE_SQL_DATABASE', 'the database the migrations created'),
      poolMax,
    };
  }
  throw new AppSettingError('SQL_ENGINE', `SQL_ENGINE must be "postgres" or "azure-sql", got "${engine}"`);
}

export function readAppSettings(env: Environment): AppSettings {
  const triggers = readTriggerSettings(env);
  return {
    keyVaultUrl: httpsUrl(env, 'KEY_VAULT_URL', 'the vault URI, e.g. https://<vault>.vault.azure.net'),
    keyVaultSecretCacheTtlMs: integer(env, 'KEY_VAULT_SECRET_CACHE_TTL_SECONDS', settingDefaults.secretCacheTtlSeconds, 0, 86_400) * 1000,
    sql: readSql(env),
    inventorySweep: {
      schedule: triggers.inventorySweepSchedule,
      concurrency: integer(env, 'INVENTORY_SWEEP_CONCURRENCY', settingDefaults.sweepConcurrency, 1, 64),
      expiryWindowMs: integer(env, 'INVENTORY_EXPIRY_WINDOW_DAYS', settingDefaults.expiryWindowDays, 0, 3650) * 86_400_000,
    },
    ingest: {
      queueName: triggers.ingestQueueName,
      signingKeySecretName: read(env, 'INGEST_SIGNING_KEY_SECRET_NAME') ?? settingDefaults.signingKeySecretName,
      maxMessageBytes: integer(env, 'INGEST_MAX_MESSAGE_BYTES', settingDefaults.maxMessageBytes, 256, 65_536),
    },
  };
}

let cached: AppSettings | undefined;

/** The settings of this instance, read from `process.env` on first use. */
export function getAppSettings(): AppSettings {
  cached ??= readAppSettings(process.env);
  return cached;
}
