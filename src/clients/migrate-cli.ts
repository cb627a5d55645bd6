/**
 * `node dist/src/clients/migrate-cli.js`: applies the schema migrations to the database the SQL
 * settings name, signed in with a token from the same kind of provider the app uses (run it as an
 * identity allowed to create tables, e.g. from the deployment pipeline). It reads only the SQL
 * and identity settings, and sends no telemetry. Prints migration ids only.
 */
import { createTokenProvider } from '../auth/create-provider.js';
import { createTokenConnectionPool } from './azure-sql-pool.js';
import { readMigrateCliSettings } from './migrate-cli-settings.js';
import { migrateAzureSql, migratePostgres } from './migrate.js';
import { createPostgresPool } from './postgres-pool.js';

async function main(): Promise<void> {
  const { sql, credential, tokenRequestTimeoutMs } = readMigrateCliSettings(process.env);
  const provider = createTokenProvider({ credential, requestTimeoutMs: tokenRequestTimeoutMs });
  try {
    if (sql.engine === 'postgres') {
      const pool = createPostgresPool({ settings: sql, provider });
      try {
        console.log(`applied: ${(await migratePostgres(pool)).join(', ') || 'nothing (up to date)'}`);
      } finally {
        await pool.end();
      }
    } else {
      const pool = await createTokenConnectionPool({ settings: sql, provider }).connect();
      try {
        console.log(`applied: ${(await migrateAzureSql(pool)).join(', ') || 'nothing (up to date)'}`);
      } finally {
        await pool.close();
      }
    }
  } finally {
    provider.close();
  }
}

main().catch((error: unknown) => {
  console.error(`migration failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
  process.exitCode = 1;
});
