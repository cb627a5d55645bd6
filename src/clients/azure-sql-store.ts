/**
 * The Store port on Azure SQL Database (mssql/tedious), over a pool whose every new connection
 * signs in with a token from the shared provider (see azure-sql-pool.ts). Its declarations name
 * no mssql type: what the user's project sees is the Store.
 */
import sql from 'mssql';
import { classifyAzureSqlError } from './azure-sql-errors.js';
import type { AzureSqlStoreOptions } from './azure-sql-options.js';
import { createTokenConnectionPool } from './azure-sql-pool.js';
import type { IngestedEvent, SecretInventoryRow, Store } from './store.js';

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

export function createAzureSqlStore(options: AzureSqlStoreOptions): Store {
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
