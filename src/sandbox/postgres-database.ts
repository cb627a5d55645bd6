/**
 * The deployer's part on a sandbox PostgreSQL, shared by the tests and the local run: a database
 * with a superuser pool on it, and the app's login role that may read and write its tables.
 */
import pg from 'pg';
import type { PostgresServer } from './postgres.js';

/** Creates `database` and returns a superuser pool on it (the caller ends it). */
export async function createDatabase(server: PostgresServer, database: string, poolMax = 2): Promise<pg.Pool> {
  const connection = { host: server.host, port: server.port, user: server.superuser, password: server.superuserPassword };
  const bootstrap = new pg.Client({ ...connection, database: 'postgres' });
  await bootstrap.connect();
  try {
    await bootstrap.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await bootstrap.end();
  }
  const admin = new pg.Pool({ ...connection, database, max: poolMax });
  admin.on('error', () => undefined);
  return admin;
}

/** A login role that may read and write the tables the migrations made; its password, when given, is the app's token. */
export async function createAppRole(admin: pg.Pool, role: string, password?: string): Promise<void> {
  const name = pg.escapeIdentifier(role);
  await admin.query(`CREATE ROLE ${name} LOGIN${password === undefined ? '' : ` PASSWORD ${pg.escapeLiteral(password)}`}`);
  await admin.query(`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO ${name}`);
}
