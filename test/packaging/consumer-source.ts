/**
 * The consumer's code: a namespace import of every entry point in `exports` (so a new entry point
 * is compiled without anyone remembering to add it), and a few lines that use the public types
 * the way the README shows. Only compiled, never run.
 */
import type { PublicEntry } from './package-manifest.js';

const usage = `
import { getTokenProvider, isTokenError, systemClock, type TokenEvent, type TokenProvider } from 'resilient-daemon-functions';
import { createKeyVault, type SecretVault } from 'resilient-daemon-functions/clients/key-vault';
import { createPostgresStore, postgresScope } from 'resilient-daemon-functions/clients/postgres';
import { createAzureSqlStore, isDependencyError, type Store } from 'resilient-daemon-functions/clients/azure-sql';
import { readAppSettings, signEvent, type AppSettings } from 'resilient-daemon-functions/jobs';
import packageJson from 'resilient-daemon-functions/package.json' with { type: 'json' };

export const eventType = (event: TokenEvent): string => event.type;

export async function consume(): Promise<string> {
  const provider: TokenProvider = getTokenProvider();
  const settings: AppSettings = readAppSettings(process.env);
  const vault: SecretVault = createKeyVault({ vaultUrl: settings.keyVaultUrl, credential: provider.credential, clock: systemClock });
  const store: Store = settings.sql.engine === 'postgres'
    ? createPostgresStore({ settings: settings.sql, provider })
    : createAzureSqlStore({ settings: settings.sql, provider });
  try {
    const key = await vault.getSecretValue(settings.ingest.signingKeySecretName);
    const event = { id: 'e-1', type: 'device.reading', occurredAt: new Date().toISOString(), payload: {} };
    await store.insertEvent({ ...event, occurredAt: new Date(event.occurredAt) });
    return signEvent(key, event) + (await provider.getToken(postgresScope)).token + packageJson.version;
  } catch (error) {
    if (isTokenError(error)) return error.code;
    if (isDependencyError(error)) return error.code;
    throw error;
  } finally {
    await store.close();
  }
}
`;

export function consumerSource(entries: readonly PublicEntry[]): string {
  const imports = entries.map((entry, index) => `import * as entry${index} from '${entry.specifier}';`);
  const everyEntry = `export const everyEntry = [${entries.map((_, index) => `entry${index}`).join(', ')}];`;
  return [...imports, everyEntry, usage].join('\n');
}
