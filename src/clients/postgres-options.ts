/**
 * What the PostgreSQL adapter is configured with. Free of pg types, like everything the public
 * entry points declare: a user's project compiles without `@types/pg`.
 */
import type { ConnectionOptions } from 'node:tls';
import type { TokenProvider } from '../auth/types.js';

export const postgresScope = 'https://ossrdbms-aad.database.windows.net/.default';

export interface PostgresConnectionSettings {
  host: string;
  port: number;
  database: string;
  /** The Entra principal's name as created in PostgreSQL (the managed identity's display name). */
  user: string;
  /** TLS to the server; Azure Database for PostgreSQL requires it. */
  ssl: boolean;
  poolMax: number;
}

export interface PostgresStoreOptions {
  settings: PostgresConnectionSettings;
  provider: Pick<TokenProvider, 'getToken'>;
  /** TLS options when `settings.ssl` is on (certificate verification stays on by default). */
  tls?: ConnectionOptions;
}

export const postgresDefaults = {
  /** A connection that cannot be made in 15 s counts as unavailable; the host retries the message. */
  connectionTimeoutMs: 15_000,
  /** Idle connections close after 30 s, so tokens in use are never far from fresh. */
  idleTimeoutMs: 30_000,
  statementTimeoutMs: 30_000,
} as const;
