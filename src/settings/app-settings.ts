/**
 * Every app setting the functions read, parsed and validated once. A bad or missing setting is
 * an AppSettingError that names it; jobs receive typed values and never read `process.env`.
 * The token provider's own settings (IDENTITY_ENDPOINT, AZURE_CLIENT_ID, …) are read by src/auth.
 */
import type { Environment, SettingReader } from '../environment.js';
import { settingDefaults } from './defaults.js';
import { AppSettingError, appSettingReader } from './setting-error.js';
import { readSqlSettings, type SqlSettings } from './sql-settings.js';

export { AppSettingError } from './setting-error.js';
export { readSqlSettings } from './sql-settings.js';
export type { AzureSqlSettings, PostgresSettings, SqlSettings } from './sql-settings.js';

export interface AppSettings {
  keyVaultUrl: string;
  keyVaultSecretCacheTtlMs: number;
  /** Off unless KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION says so: see src/clients/key-vault.ts. */
  keyVaultDisableChallengeResourceVerification: boolean;
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

/** Key Vault secret names: 1-127 letters, digits and hyphens. Anything else would only fail at the first message, as a 404 retried into the poison queue. */
function keyVaultSecretName(settings: SettingReader, name: string, fallback: string): string {
  const value = settings.read(name) ?? fallback;
  if (!/^[0-9A-Za-z-]{1,127}$/.test(value)) {
    throw new AppSettingError(name, `${name} must be a Key Vault secret name of 1-127 letters, digits and hyphens, got "${value.slice(0, 140)}"`);
  }
  return value;
}

export function readTriggerSettings(env: Environment): TriggerSettings {
  const settings = appSettingReader(env);
  return {
    inventorySweepSchedule: ncrontab(settings, 'INVENTORY_SWEEP_SCHEDULE', settingDefaults.inventorySweepSchedule),
    ingestQueueName: queueName(settings, 'INGEST_QUEUE_NAME', settingDefaults.ingestQueueName),
  };
}

export function readAppSettings(env: Environment): AppSettings {
  const settings = appSettingReader(env);
  const triggers = readTriggerSettings(env);
  return {
    keyVaultUrl: httpsUrl(settings, 'KEY_VAULT_URL', 'the vault URI, e.g. https://<vault>.vault.azure.net'),
    keyVaultSecretCacheTtlMs: settings.integer('KEY_VAULT_SECRET_CACHE_TTL_SECONDS', settingDefaults.secretCacheTtlSeconds, 0, 86_400) * 1000,
    keyVaultDisableChallengeResourceVerification: settings.boolean('KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION', false),
    sql: readSqlSettings(env),
    inventorySweep: {
      schedule: triggers.inventorySweepSchedule,
      concurrency: settings.integer('INVENTORY_SWEEP_CONCURRENCY', settingDefaults.sweepConcurrency, 1, 64),
      expiryWindowMs: settings.integer('INVENTORY_EXPIRY_WINDOW_DAYS', settingDefaults.expiryWindowDays, 0, 3650) * 86_400_000,
    },
    ingest: {
      queueName: triggers.ingestQueueName,
      signingKeySecretName: keyVaultSecretName(settings, 'INGEST_SIGNING_KEY_SECRET_NAME', settingDefaults.signingKeySecretName),
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
