/**
 * Where a local run's settings come from, as `func start` sees them: the environment first, then
 * `local.settings.json` (`Values`) in the project folder. Each sandbox part gives way to the real
 * service when its setting is present here.
 */
import { existsSync, readFileSync } from 'node:fs';

export type Settings = Record<string, string>;

export function readLocalSettings(path: string): Settings {
  if (!existsSync(path)) return {};
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { Values?: Record<string, unknown> };
  return Object.fromEntries(Object.entries(parsed.Values ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
}

export function mergedSettings(env: NodeJS.ProcessEnv, fileSettings: Settings): Settings {
  const merged: Settings = { ...fileSettings };
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '') merged[name] = value;
  return merged;
}

export interface RealParts {
  identity: boolean;
  vault: boolean;
  database: boolean;
  storage: boolean;
  telemetry: boolean;
}

/** Which parts the user pointed at a real service; the rest are the sandbox's. */
export function realParts(settings: Settings): RealParts {
  const storage = settings['AzureWebJobsStorage'];
  return {
    identity: Boolean(settings['IDENTITY_ENDPOINT'] || settings['AZURE_CLIENT_CERTIFICATE_PATH']),
    vault: Boolean(settings['KEY_VAULT_URL']) && !/<your-vault>/.test(settings['KEY_VAULT_URL'] ?? ''),
    database: Boolean(settings['AZURE_SQL_SERVER'] && settings['SQL_ENGINE'] === 'azure-sql') || Boolean(settings['POSTGRES_HOST'] && !/<server>/.test(settings['POSTGRES_HOST'] ?? '')),
    storage: Boolean(storage) && storage !== 'UseDevelopmentStorage=true',
    telemetry: Boolean(settings['APPLICATIONINSIGHTS_CONNECTION_STRING']),
  };
}
