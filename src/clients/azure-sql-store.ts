/**
 * Azure SQL Database through `mssql`/`tedious`, signed in with an Entra access token from the
 * shared provider (`azure-active-directory-access-token`). mssql builds the tedious config from
 * `pool.config` for every new connection, so each new pooled connection first asks the provider
 * for a token: the cached one, or a fresh one once it is due for refresh. A token baked into the
 * config once would sign in new connections with an expired token an hour later.
 */
import sql from 'mssql';
import type { TokenProvider } from '../auth/types.js';
import { DependencyError, findTokenError, tokenUnavailable } from './errors.js';
import type { IngestedEvent, SecretInventoryRow, Store } from './store.js';

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

/** Azure SQL errors that clear up on retry (Azure SQL "transient fault" list, plus deadlock victim). */
const transientErrorNumbers = new Set([1205, 4060, 4221, 40143, 40197, 40501, 40540, 40613, 49918, 49919, 49920]);

/** Errors about the values themselves: conversion, out-of-range date, overflow, truncation. */
const badInputErrorNumbers = new Set([241, 242, 245, 8114, 8115, 8152, 2628, 517]);

export function classifyAzureSqlError(error: unknown): DependencyError {
  if (findTokenError(error)) return tokenUnavailable(error, azureSqlScope);
  const { number, code } = error as { number?: unknown; code?: unknown };
  // tedious validates parameters before sending (EPARAM): the value cannot be sent at all.
  if (code === 'EPARAM' || (typeof number === 'number' && badInputErrorNumbers.has(number))) {
    return new DependencyError('sql_bad_input', 'sql', `Azure SQL refused the data (${typeof number === 'number' ? number : 'EPARAM'})`, { retryable: false, cause: error });
  }
  if (typeof number === 'number' && !transientErrorNumbers.has(number)) {
    return new DependencyError('sql_rejected', 'sql', `Azure SQL error ${number}`, { retryable: false, cause: error });
  }
  const reason = typeof number === 'number' ? `error ${number}` : typeof code === 'string' ? code : 'unknown error';
  return new DependencyError('sql_unavailable', 'sql', `Azure SQL unavailable: ${reason}`, { retryable: true, cause: error });
}

const upsertInventorySql = `
MERGE dbo.secret_inventory WITH (HOLDLOCK) AS target
USING (SELECT @name AS name) AS source ON target.name = source.name
WHEN MATCHED THEN UPDATE SET
  version = @version, enabled = @enabled, created_on = @createdOn, updated_on = @updatedOn,
  expires_on = @expiresOn, not_before = @notBefore, content_type = @contentType, tags = @tags
WHEN NOT MATCHED THEN
  INSERT (name, version, enabled, created_on, updated_on, expires_on, not_before, content_type, tags)
  VALUES (@name, @version, @enabled, @createdOn, @updatedOn, @expiresOn, @notBefore, @contentType, @tags);`;

const insertEventSql = `
MERGE dbo.ingested_events WITH (HOLDLOCK) AS target
USING (SELECT @id AS id) AS source ON target.id = source.id
WHEN NOT MATCHED THEN
  INSERT (id, type, occurred_at, payload) VALUES (@id, @type, @occurredAt, @payload);`;

/** 2627/2601: a concurrent insert of the same key won the race; the event is stored once either way. */
const duplicateKeyErrors = new Set([2601, 2627]);

export function createAzureSqlStore(options: AzureSqlStoreOptions): Store & { readonly pool: sql.ConnectionPool } {
  const pool = createTokenConnectionPool(options);
  let connected: Promise<sql.ConnectionPool> | undefined;
  const ready = (): Promise<sql.ConnectionPool> => {
    connected ??= pool.connect().catch((error: unknown) => {
      connected = undefined;
      throw classifyAzureSqlError(error);
    });
    return connected;
  };

  return {
    pool,
    async upsertSecretInventory(row: SecretInventoryRow) {
      const request = (await ready()).request();
      request.input('name', sql.NVarChar(127), row.name);
      request.input('version', sql.NVarChar(64), row.version);
      request.input('enabled', sql.Bit, row.enabled);
      request.input('createdOn', sql.DateTimeOffset, row.createdOn);
      request.input('updatedOn', sql.DateTimeOffset, row.updatedOn);
      request.input('expiresOn', sql.DateTimeOffset, row.expiresOn);
      request.input('notBefore', sql.DateTimeOffset, row.notBefore);
      request.input('contentType', sql.NVarChar(255), row.contentType);
      request.input('tags', sql.NVarChar(sql.MAX), JSON.stringify(row.tags));
      try {
        await request.query(upsertInventorySql);
      } catch (error) {
        throw classifyAzureSqlError(error);
      }
    },
    async insertEvent(event: IngestedEvent) {
      const request = (await ready()).request();
      request.input('id', sql.NVarChar(128), event.id);
      request.input('type', sql.NVarChar(64), event.type);
      request.input('occurredAt', sql.DateTimeOffset, event.occurredAt);
      request.input('payload', sql.NVarChar(sql.MAX), JSON.stringify(event.payload));
      try {
        const result = await request.query(insertEventSql);
        return (result.rowsAffected[0] ?? 0) === 1;
      } catch (error) {
        const number = (error as { number?: unknown }).number;
        if (typeof number === 'number' && duplicateKeyErrors.has(number)) return false;
        throw classifyAzureSqlError(error);
      }
    },
    close: () => pool.close(),
  };
}
