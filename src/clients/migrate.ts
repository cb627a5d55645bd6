/**
 * Applies the schema migrations once, in order, each recorded in `schema_migrations`. Run at
 * deploy time (`node dist/src/clients/migrate-cli.js`) by an identity allowed to create tables,
 * never from an invocation. A lock makes concurrent runs wait for each other, not collide.
 */
import sql from 'mssql';
import type pg from 'pg';
import { azureSqlMigrations } from './migrations/azure-sql.js';
import type { Migration } from './migrations/migration.js';
import { postgresMigrations } from './migrations/postgres.js';

/** Arbitrary, fixed key of the PostgreSQL advisory lock held while migrating. */
const postgresMigrationLockKey = 740_215_993;

export async function migratePostgres(pool: pg.Pool, migrations: readonly Migration[] = postgresMigrations): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [postgresMigrationLockKey]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ id: string }>('SELECT id FROM schema_migrations')).rows.map((row) => row.id));
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
      applied.push(migration.id);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function migrateAzureSql(pool: sql.ConnectionPool, migrations: readonly Migration[] = azureSqlMigrations): Promise<string[]> {
  const transaction = new sql.Transaction(pool);
  const applied: string[] = [];
  await transaction.begin();
  try {
    await new sql.Request(transaction).query(
      "EXEC sp_getapplock @Resource = N'schema_migrations', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 60000;",
    );
    await new sql.Request(transaction).query(
      "IF OBJECT_ID(N'dbo.schema_migrations', N'U') IS NULL CREATE TABLE dbo.schema_migrations (id nvarchar(128) NOT NULL PRIMARY KEY, applied_at datetimeoffset NOT NULL DEFAULT SYSDATETIMEOFFSET());",
    );
    const result = await new sql.Request(transaction).query<{ id: string }>('SELECT id FROM dbo.schema_migrations;');
    const done = new Set(result.recordset.map((row) => row.id));
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      await new sql.Request(transaction).batch(migration.sql);
      await new sql.Request(transaction).input('id', sql.NVarChar(128), migration.id).query('INSERT INTO dbo.schema_migrations (id) VALUES (@id);');
      applied.push(migration.id);
    }
    await transaction.commit();
    return applied;
  } catch (error) {
    await transaction.rollback().catch(() => undefined);
    throw error;
  }
}
