/**
 * The Store port on Azure Database for PostgreSQL (pg), over a pool whose every new connection
 * signs in with a token from the shared provider (see postgres-pool.ts). Its declarations name no
 * pg type: the pool comes in through the small structural port below.
 */
import { classifyPostgresError } from './postgres-errors.js';
import type { PostgresStoreOptions } from './postgres-options.js';
import { createPostgresPool } from './postgres-pool.js';
import { SignInToken } from './postgres-sign-in.js';
import type { IngestedEvent, SecretInventoryRow, Store } from './store.js';

/** What the store needs of pg's `Pool`. */
export interface PostgresQueryPool {
  query(text: string, values: unknown[]): Promise<{ rowCount: number | null }>;
  end(): Promise<void>;
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

/** SQLSTATE of a failed password sign-in: with token sign-in, the server refused the token. */
const signInRefused = '28P01';

/**
 * With `signIn`, a statement whose connection's sign-in the server refused is tried once more at
 * once, on a connection that signs in with another token (see SignInToken).
 */
export function postgresStoreOver(pool: PostgresQueryPool, signIn?: Pick<SignInToken, 'presented' | 'refused'>): Store {
  async function query(text: string, values: unknown[]): Promise<{ rowCount: number | null }> {
    const presented = signIn?.presented;
    try {
      return await pool.query(text, values);
    } catch (error) {
      if (signIn === undefined || (error as { code?: unknown }).code !== signInRefused) throw classifyPostgresError(error);
      signIn.refused(presented);
      try {
        return await pool.query(text, values);
      } catch (again) {
        throw classifyPostgresError(again);
      }
    }
  }

  return {
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

export function createPostgresStore(options: PostgresStoreOptions): Store {
  const signIn = new SignInToken(options.provider);
  return postgresStoreOver(createPostgresPool(options, signIn), signIn);
}
