/**
/**
 * `node dist/src/clients/migrate-cli.js [--help]`: applies the schema migrations to the database
 * the SQL settings name, signed in with a token from the same kind of provider the app uses (run
 * it as an identity allowed to create tables, e.g. from the deployment pipeline). It reads only the
 * SQL and identity settings, and sends no telemetry. Prints migration ids only.
 */
const usage = [
  'Usage: node dist/src/clients/migrate-cli.js',
  '',
  'Applies the schema migrations that have not run yet to the database the SQL settings name',
  '(SQL_ENGINE, then POSTGRES_* or AZURE_SQL_*), signed in with a token from the credential',
  'settings (a managed identity, or AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_CERTIFICATE_PATH).',
  'Run it as an identity allowed to create tables, e.g. from the deployment pipeline.',
  'Prints the ids of the migrations it applied; exits 1 when a migration fails.',
  '',
  'Options:',
  '  -h, --help  this text (nothing is read or applied)',
].join('\n');

async function main(): Promise<void> {
  // Loaded here rather than at the top: `--help` must not set up a token provider.
  const [{ createTokenProvider }, { readMigrateCliSettings }, { createTokenConnectionPool }, { migrateAzureSql, migratePostgres }, { createPostgresPool }] = await Promise.all([
    import('../auth/create-provider.js'),
    import('./migrate-cli-settings.js'),
    import('./azure-sql-pool.js'),
    import('./migrate.js'),
    import('./postgres-pool.js'),
  ]);
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

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(usage);
} else if (args.length > 0) {
  // A misspelt option must not run the migrations.
  console.error(`Unknown argument: ${args[0] ?? ''}\n\n${usage}`);
  process.exitCode = 2;
} else {
  main().catch((error: unknown) => {
    console.error(`migration failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
    process.exitCode = 1;
  });
}
