/**
 * Every setting the app reads, grouped by the reader that reads it and the valid environment the
 * others get, with what a valid value is where the rule is simple enough to state as an oracle.
 */
import { credentialSettingsFromEnvironment, tokenMaxWaitSetting, tokenRequestTimeoutSetting, type Environment } from '../../../src/auth/credential-settings.js';
import { readAppSettings } from '../../../src/settings/app-settings.js';
import { readTelemetrySettings } from '../../../src/telemetry/telemetry-settings.js';

export interface SettingGroup {
  name: string;
  /** A valid environment for the reader. */
  base: Environment;
  /** The settings of this group that the properties vary. */
  settings: readonly string[];
  read(env: Environment): unknown;
}

const appBase = { KEY_VAULT_URL: 'https://v.vault.azure.net', POSTGRES_HOST: 'db.example', POSTGRES_DATABASE: 'inventory', POSTGRES_USER: 'app' };

export function settingGroups(certificatePath: string): SettingGroup[] {
  const certificateBase = { AZURE_TENANT_ID: 'contoso.onmicrosoft.com', AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001', AZURE_CLIENT_CERTIFICATE_PATH: certificatePath };
  return [
    {
      name: 'app settings (PostgreSQL)',
      base: appBase,
      settings: ['KEY_VAULT_URL', 'KEY_VAULT_SECRET_CACHE_TTL_SECONDS', 'KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION', 'SQL_ENGINE', 'SQL_POOL_MAX', 'POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_DATABASE', 'POSTGRES_USER', 'POSTGRES_SSL', 'INVENTORY_SWEEP_SCHEDULE', 'INVENTORY_SWEEP_CONCURRENCY', 'INVENTORY_EXPIRY_WINDOW_DAYS', 'INGEST_QUEUE_NAME', 'INGEST_SIGNING_KEY_SECRET_NAME', 'INGEST_MAX_MESSAGE_BYTES'],
      read: readAppSettings,
    },
    {
      name: 'app settings (Azure SQL)',
      base: { KEY_VAULT_URL: appBase.KEY_VAULT_URL, SQL_ENGINE: 'azure-sql', AZURE_SQL_SERVER: 'sql.example', AZURE_SQL_DATABASE: 'inventory' },
      settings: ['AZURE_SQL_SERVER', 'AZURE_SQL_PORT', 'AZURE_SQL_DATABASE', 'SQL_POOL_MAX'],
      read: readAppSettings,
    },
    {
      name: 'managed identity (App Service)',
      base: { IDENTITY_ENDPOINT: 'http://127.0.0.1:41234/msi/token', IDENTITY_HEADER: 'header-value' },
      settings: ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MANAGED_IDENTITY_CLIENT_ID', 'MANAGED_IDENTITY_RESOURCE_ID', 'MANAGED_IDENTITY_OBJECT_ID', 'DAEMON_CREDENTIAL'],
      read: (env) => credentialSettingsFromEnvironment(env),
    },
    {
      name: 'managed identity (IMDS)',
      base: { DAEMON_CREDENTIAL: 'managed-identity' },
      settings: ['AZURE_POD_IDENTITY_AUTHORITY_HOST', 'MANAGED_IDENTITY_CLIENT_ID'],
      read: (env) => credentialSettingsFromEnvironment(env),
    },
    {
      name: 'certificate credentials',
      base: certificateBase,
      settings: ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_CLIENT_SEND_CERTIFICATE_CHAIN', 'AZURE_REGIONAL_AUTHORITY_NAME', 'AZURE_AUTHORITY_HOST', 'DAEMON_CREDENTIAL'],
      read: (env) => credentialSettingsFromEnvironment(env),
    },
    { name: 'token request timeout', base: {}, settings: ['TOKEN_REQUEST_TIMEOUT_MS'], read: tokenRequestTimeoutSetting },
    { name: 'token maximum wait', base: {}, settings: ['TOKEN_MAX_WAIT_MS'], read: tokenMaxWaitSetting },
    { name: 'telemetry', base: {}, settings: ['APPLICATIONINSIGHTS_CONNECTION_STRING', 'TELEMETRY_DISABLE_OFFLINE_STORAGE'], read: readTelemetrySettings },
  ];
}

const integer = (min: number, max: number) => (value: string): boolean => /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)) && Number(value) >= min && Number(value) <= max;
const boolean = (value: string): boolean => ['true', 'false', '1', '0'].includes(value.toLowerCase());

/** Settings whose rule is simple: valid exactly when the oracle says so (on the trimmed value; blank means the default). */
export const settingOracles: Readonly<Record<string, (value: string) => boolean>> = {
  KEY_VAULT_SECRET_CACHE_TTL_SECONDS: integer(0, 86_400),
  KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: boolean,
  SQL_POOL_MAX: integer(1, 100),
  POSTGRES_PORT: integer(1, 65_535),
  POSTGRES_SSL: boolean,
  INVENTORY_SWEEP_CONCURRENCY: integer(1, 64),
  INVENTORY_EXPIRY_WINDOW_DAYS: integer(0, 3650),
  INGEST_MAX_MESSAGE_BYTES: integer(256, 65_536),
  INGEST_QUEUE_NAME: (value) => /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,54}[a-z0-9]$/.test(value),
  INGEST_SIGNING_KEY_SECRET_NAME: (value) => /^[0-9A-Za-z-]{1,127}$/.test(value),
  TOKEN_REQUEST_TIMEOUT_MS: integer(1, Number.MAX_SAFE_INTEGER),
  TOKEN_MAX_WAIT_MS: integer(0, 3_600_000),
  TELEMETRY_DISABLE_OFFLINE_STORAGE: boolean,
  AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: boolean,
};
