/**
 * Azure Database for PostgreSQL through `pg`, signed in with an Entra token from the shared
 * provider. `password` is an async function, so every new pooled connection asks the provider
 * and gets its cached token, or a fresh one once the old one is due for refresh.
 */
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { TokenProvider } from '../auth/types.js';
import { DependencyError, findTokenError, tokenUnavailable } from './errors.js';
import type { IngestedEvent, SecretInventoryRow, Store } from './store.js';

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

export function postgresPoolConfig(options: PostgresStoreOptions): pg.PoolConfig {
  const { settings, provider } = options;
  return {
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: async () => (await provider.getToken(postgresScope)).token,
    ssl: settings.ssl ? { rejectUnauthorized: true, ...options.tls } : false,
    max: settings.poolMax,
    connectionTimeoutMillis: postgresDefaults.connectionTimeoutMs,
    idleTimeoutMillis: postgresDefaults.idleTimeoutMs,
    statement_timeout: postgresDefaults.statementTimeoutMs,
    application_name: 'resilient-daemon-functions',
  };
}

/** SQLSTATE classes that mean "the database, not the statement": connection, resources, shutdown. */
const unavailableSqlStates = /^(08|53|57P|58)/;

export function classifyPostgresError(error: unknown): DependencyError {
  if (findTokenError(error)) return tokenUnavailable(error, postgresScope);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    // 28P01 (sign-in failed) is retryable: with token sign-in it usually means the token expired
    // between fetch and use, and the next connection gets a fresh one from the provider.
    const retryable = unavailableSqlStates.test(code) || code === '40001' || code === '40P01' || code === '28P01';
    // Class 22 (data exception): the values themselves cannot be stored.
    if (code.startsWith('22')) return new DependencyError('sql_bad_input', 'sql', `PostgreSQL refused the data (${code})`, { retryable: false, cause: error });
    return new DependencyError(retryable ? 'sql_unavailable' : 'sql_rejected', 'sql', `PostgreSQL error ${code}`, { retryable, cause: error });
  }
  const reason = typeof code === 'string' ? code : error instanceof Error ? error.message.slice(0, 120) : 'unknown error';
  return new DependencyError('sql_unavailable', 'sql', `PostgreSQL unreachable: ${reason}`, { retryable: true, cause: error });
}

const upsertInventorySql = `
INSERT INTO secret_inventory (name, version, enabled, created_on, updated_on, expires_on, not_before, content_type, tags)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (name) DO UPDATE SET
  version = EXCLUDED.version, enabled = EXCLUDED.enabled, created_on = EXCLUDED.created_on,
  updated_on = EXCLUDED.updated_on, expires_on = EXCLUDED.expires_on, not_before = EXCLUDED.not_before,
  content_type = EXCLUDED.content_type, tags = EXCLUDED.tags`;

const insertEventSql = `
INSERT INTO ingested_events (id, type, occurred_at, payload) VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO NOTHING`;

export function createPostgresStore(options: PostgresStoreOptions): Store & { readonly pool: pg.Pool } {
  const pool = new pg.Pool(postgresPoolConfig(options));
  // An idle client losing its connection must not crash the worker; the next query reconnects.
  pool.on('error', () => undefined);

  async function query(text: string, values: unknown[]): Promise<pg.QueryResult> {
    try {
      return await pool.query(text, values);
    } catch (error) {
      throw classifyPostgresError(error);
    }
  }

  return {
    pool,
    async upsertSecretInventory(row: SecretInventoryRow) {
      await query(upsertInventorySql, [row.name, row.version, row.enabled, row.createdOn, row.updatedOn, row.expiresOn, row.notBefore, row.contentType, JSON.stringify(row.tags)]);
    },
    async insertEvent(event: IngestedEvent) {
      const result = await query(insertEventSql, [event.id, event.type, event.occurredAt, JSON.stringify(event.payload)]);
      return result.rowCount === 1;
    },
    close: () => pool.end(),
  };
}
