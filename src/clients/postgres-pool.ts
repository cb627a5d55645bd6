/**
 * The pg connection pool, signed in with an Entra token from the shared provider. `password` is
 * an async function, so every new pooled connection asks the provider and gets its cached token,
 * or a fresh one once the old one is due for refresh.
 *
 * pg's types live here and in the migrations only: no entry point exports this module, so the
 * published declarations never need `@types/pg` (which an install brings only by accident, deep
 * under Application Insights).
 */
import pg from 'pg';
import { postgresDefaults, postgresScope, type PostgresStoreOptions } from './postgres-options.js';

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

export function createPostgresPool(options: PostgresStoreOptions): pg.Pool {
  const pool = new pg.Pool(postgresPoolConfig(options));
  // An idle client losing its connection must not crash the worker; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}
