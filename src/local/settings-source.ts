/**
 * Where a local run's settings come from, as `func start` sees them: the environment first, then
 * `local.settings.json` (`Values`) in the project folder. Each sandbox part gives way to the real
 * service when its setting is present here.
 */
import { readLocalSettings as readLocalSettingsFile } from '../settings/local-settings-file.js';

export type Settings = Record<string, string>;

/** The non-blank `Values` of local.settings.json in `projectRoot`; a file that exists but cannot be used is an error. */
export function readLocalSettings(projectRoot: string): Settings {
  const { values, problem } = readLocalSettingsFile(projectRoot);
  if (problem) throw new Error(problem);
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ''));
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
