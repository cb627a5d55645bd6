/**
 * What the Azure SQL adapter is configured with. Free of mssql types, like everything the public
 * entry points declare: a user's project compiles without `@types/mssql`.
 */
import type { TokenProvider } from '../auth/types.js';

export const azureSqlScope = 'https://database.windows.net/.default';

export interface AzureSqlConnectionSettings {
  server: string;
  port: number;
  database: string;
  poolMax: number;
}

export interface AzureSqlStoreOptions {
  settings: AzureSqlConnectionSettings;
  provider: Pick<TokenProvider, 'getToken'>;
  /** Azure SQL requires TLS; only the wire-level test against a local recorder turns it off. */
  encrypt?: boolean;
}

export const azureSqlDefaults = {
  connectionTimeoutMs: 15_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
} as const;
