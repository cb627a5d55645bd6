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

/**
 * The token a new connection signs in with. The provider serves its cached token while it is
 * valid on the provider's clock, but the server may refuse it sooner (revoked, or the server's
 * clock is ahead): after `refused()`, the next sign-in asks the provider for a token other than
 * the one last presented, instead of presenting it again until the message is poisoned.
 */
export class SignInToken {
  #first: string | undefined;
  #presented: string | undefined;
  #refused: string | undefined;

  constructor(private readonly provider: PostgresStoreOptions['provider']) {}

  readonly password = async (): Promise<string> => {
    const token = (await this.provider.getToken(postgresScope, this.#refused === undefined ? undefined : { refusedToken: this.#refused })).token;
    this.#first ??= token;
    this.#presented = token;
    return token;
  };

  /** The token the latest sign-in presented. */
  get presented(): string | undefined {
    return this.#presented;
  }

  /**
   * The server refused a sign-in (28P01). `token` is what `presented` said when the failed
   * statement started (undefined before this pool's first sign-in, whose token is then the one
   * refused): under concurrency a later sign-in may already present a fresh token, which must
   * not be marked refused in its place.
   */
  refused(token: string | undefined): void {
    this.#refused = token ?? this.#first;
  }
}

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
