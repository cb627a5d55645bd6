/**
 * The mssql connection pool, signed in with an Entra access token from the shared provider
 * (`azure-active-directory-access-token`). mssql builds the tedious config from `pool.config` for
 * every new connection, so each new pooled connection first asks the provider for a token: the
 * cached one, or a fresh one once it is due for refresh. A token baked into the config once would
 * sign in new connections with an expired token an hour later.
 *
 * mssql's types live here and in the migrations only: no entry point exports this module, so the
 * published declarations never need `@types/mssql` (a devDependency).
 */
import sql from 'mssql';
import { azureSqlDefaults, azureSqlScope, type AzureSqlStoreOptions } from './azure-sql-options.js';
import { tokenUnavailable } from './errors.js';

export function azureSqlPoolConfig(options: AzureSqlStoreOptions, token: string): sql.config {
  const { settings } = options;
  return {
    server: settings.server,
    port: settings.port,
    database: settings.database,
    authentication: { type: 'azure-active-directory-access-token', options: { token } },
    options: { encrypt: options.encrypt ?? true, trustServerCertificate: false, appName: 'resilient-daemon-functions' },
    pool: { max: settings.poolMax, min: 0, idleTimeoutMillis: azureSqlDefaults.idleTimeoutMs },
    connectionTimeout: azureSqlDefaults.connectionTimeoutMs,
    requestTimeout: azureSqlDefaults.requestTimeoutMs,
  };
}

/** mssql 12 internals this relies on (pinned version; the wire test fails if they change). */
interface MssqlPoolInternals {
  config: sql.config;
  _poolCreate(): Promise<unknown>;
}

export function createTokenConnectionPool(options: AzureSqlStoreOptions): sql.ConnectionPool {
  const pool = new sql.ConnectionPool(azureSqlPoolConfig(options, ''));
  const internals = pool as unknown as MssqlPoolInternals;
  const createConnection = internals._poolCreate.bind(pool);
  internals._poolCreate = async () => {
    let token: string;
    try {
      token = (await options.provider.getToken(azureSqlScope)).token;
    } catch (error) {
      throw tokenUnavailable(error, azureSqlScope);
    }
    internals.config.authentication = { type: 'azure-active-directory-access-token', options: { token } };
    return createConnection();
  };
  return pool;
}
