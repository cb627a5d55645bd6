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
import { postgresDefaults, type PostgresStoreOptions } from './postgres-options.js';
import { SignInToken } from './postgres-sign-in.js';

export function postgresPoolConfig(options: PostgresStoreOptions, signIn: SignInToken = new SignInToken(options.provider)): pg.PoolConfig {
  const { settings } = options;
  return {
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: signIn.password,
    ssl: settings.ssl ? { rejectUnauthorized: true, ...options.tls } : false,
    max: settings.poolMax,
    connectionTimeoutMillis: postgresDefaults.connectionTimeoutMs,
    idleTimeoutMillis: postgresDefaults.idleTimeoutMs,
    statement_timeout: postgresDefaults.statementTimeoutMs,
    application_name: 'resilient-daemon-functions',
  };
}

export function createPostgresPool(options: PostgresStoreOptions, signIn?: SignInToken): pg.Pool {
  const pool = new pg.Pool(postgresPoolConfig(options, signIn));
  // An idle client losing its connection must not crash the worker; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}
