/**
 * What the migration CLI reads: the SQL settings and the identity settings, nothing else. It runs
 * in a deployment pipeline, where the functions' own settings (KEY_VAULT_URL, queue names, …)
 * have no business being required.
 */
import { credentialSettingsFromEnvironment, tokenRequestTimeoutSetting, type CredentialSettings } from '../auth/credential-settings.js';
import type { Environment } from '../environment.js';
import { readSqlSettings, type SqlSettings } from '../settings/sql-settings.js';

export interface MigrateCliSettings {
  sql: SqlSettings;
  credential: CredentialSettings;
  tokenRequestTimeoutMs: number | undefined;
}

/** SQL first, so that a pipeline missing its database settings is told that before anything else. */
export function readMigrateCliSettings(env: Environment): MigrateCliSettings {
  return {
    sql: readSqlSettings(env),
    credential: credentialSettingsFromEnvironment(env),
    tokenRequestTimeoutMs: tokenRequestTimeoutSetting(env),
  };
}
