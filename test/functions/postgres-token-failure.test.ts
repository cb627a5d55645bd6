/**
 * A token the provider cannot give must cost the database nothing. pg opens the socket and starts
 * the sign-in before it calls the `password` function; when that rejects, it drops the client with
 * the socket still open, and the server holds the backend in authentication until
 * authentication_timeout (60 s). Under an identity outage with traffic that exhausted
 * max_connections (53300) and kept the app out after the outage ended. The pool now gets the token
 * before a new connection opens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTokenProvider } from '../../src/auth/create-provider.js';
import { credentialSettingsFromEnvironment } from '../../src/auth/credential-settings.js';
import { postgresScope } from '../../src/clients/postgres-options.js';
import { createPostgresPool } from '../../src/clients/postgres-pool.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import { startPostgres, type LocalPostgres } from '../support/postgres.js';
import { VirtualClock } from '../support/virtual-clock.js';

describe('PostgreSQL sign-in when no token can be had', () => {
  let ca: TestCa;
  let identity: IdentityEmulator;
  let postgres: LocalPostgres;
  const clock = new VirtualClock(Date.now());

  before(async () => {
    ca = createTestCa();
    [identity, postgres] = await Promise.all([startIdentityEmulator({ ca, now: () => clock.now() }), startPostgres()]);
  });
  after(async () => {
    await Promise.all([identity.stop(), postgres.stop()]);
    ca.cleanup();
  });

  it('150 failed sign-ins during an outage leave no connection behind: the first query after it succeeds', async () => {
    const credential = credentialSettingsFromEnvironment({ IDENTITY_ENDPOINT: identity.managedIdentityEndpoint, IDENTITY_HEADER: identity.identityHeader });
    const deployer = createTokenProvider({ credential, clock });
    const app = createTokenProvider({ credential, clock });
    await postgres.createAppRole('func_pg_outage');
    // The host caches this token: the app gets the same one once the outage ends.
    await postgres.setPassword('func_pg_outage', (await deployer.getToken(postgresScope)).token);
    const pool = createPostgresPool({ settings: { host: postgres.host, port: postgres.port, database: postgres.database, user: 'func_pg_outage', ssl: false, poolMax: 5 }, provider: app });
    try {
      identity.setPersistentFault('mi', { kind: 'status', status: 503 });
      for (let i = 0; i < 150; i++) await assert.rejects(pool.query('SELECT 1'), `query ${i} during the outage`);
      identity.setPersistentFault('mi', undefined);
      clock.advance(60_000);
      const { rows } = await pool.query<{ ok: number }>('SELECT 1 AS ok');
      assert.deepEqual(rows, [{ ok: 1 }]);
    } finally {
      await pool.end();
      deployer.close();
      app.close();
    }
  });
});
