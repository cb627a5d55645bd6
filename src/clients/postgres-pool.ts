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
import type { TokenProvider } from '../auth/types.js';
import { postgresDefaults, postgresScope, type PostgresStoreOptions } from './postgres-options.js';
import { SignInToken } from './postgres-sign-in.js';

/**
 * A pg Client that gets its token before it opens a connection. pg calls `password` only after
 * the socket is open and the sign-in has begun; when it rejects, the pool drops the client with
 * its socket still open and the server holds that backend in authentication until
 * authentication_timeout (60 s by default). An identity outage under traffic then filled
 * max_connections (53300) and kept the app out after the outage. Asking first costs nothing on a
 * cache hit, and a failure now fails before any connection exists.
 */
function tokenFirstClient(provider: Pick<TokenProvider, 'getToken'>): typeof pg.Client {
  return class TokenFirstClient extends pg.Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: ((err: Error) => void) | ((err: null, client: pg.Client) => void)): void;
    override connect(callback?: ((err: Error) => void) | ((err: null, client: pg.Client) => void)): Promise<pg.Client> | void {
      const ready = provider.getToken(postgresScope);
      if (callback === undefined) return ready.then(() => super.connect());
      ready.then(
        () => super.connect(callback),
        (error: unknown) => (callback as (err: Error) => void)(error instanceof Error ? error : new Error(String(error))),
      );
    }
  };
}

export function postgresPoolConfig(options: PostgresStoreOptions, signIn: SignInToken = new SignInToken(options.provider)): pg.PoolConfig {
  const { settings, provider } = options;
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
    Client: tokenFirstClient(provider),
  };
}

export function createPostgresPool(options: PostgresStoreOptions, signIn?: SignInToken): pg.Pool {
  const pool = new pg.Pool(postgresPoolConfig(options, signIn));
  // An idle client losing its connection must not crash the worker; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}
