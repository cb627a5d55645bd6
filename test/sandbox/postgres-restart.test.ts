/**
 * The sandbox's PostgreSQL restarts in place (the soak's "PostgreSQL restart" fault): connections
 * open before it are cut, the server comes back on the same port with the same data, and a stop
 * after a restart still removes everything.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import pg from 'pg';
import { startPostgresServer } from '../../src/sandbox/postgres.js';

describe('sandbox PostgreSQL restart', () => {
  it('cuts open connections, keeps port and data, and a later stop still cleans up', async () => {
    const server = await startPostgresServer();
    const connection = { host: server.host, port: server.port, user: server.superuser, password: server.superuserPassword, database: 'postgres' };
    const before = new pg.Client(connection);
    before.on('error', () => undefined);
    try {
      await before.connect();
      await before.query('CREATE TABLE survives (id int)');
      await before.query('INSERT INTO survives VALUES (7)');
      const firstPid = server.pid;
      await server.restart();
      assert.notEqual(server.pid, firstPid, 'a new postmaster');
      await assert.rejects(before.query('SELECT 1'), 'the old connection was cut');
      const after = new pg.Client(connection);
      await after.connect();
      try {
        assert.deepEqual((await after.query<{ id: number }>('SELECT id FROM survives')).rows, [{ id: 7 }]);
      } finally {
        await after.end();
      }
    } finally {
      await before.end().catch(() => undefined);
      await server.stop();
    }
    assert.equal(existsSync(`/proc/${server.pid}`), false, 'the restarted server is gone after stop');
  });
});
