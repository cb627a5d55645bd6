/**
 * The token reaches the database connection, and a refreshed token reaches the next new one:
 * PostgreSQL for real (the app role's password is the issued token), Azure SQL at the wire
 * (LOGIN7 recorded by a local TDS endpoint, since no SQL Server runs here).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTokenProvider } from '../../src/auth/create-provider.js';
import { credentialSettingsFromEnvironment } from '../../src/auth/credential-settings.js';
import type { TokenProvider } from '../../src/auth/types.js';
import { azureSqlScope } from '../../src/clients/azure-sql-options.js';
import { azureSqlPoolConfig } from '../../src/clients/azure-sql-pool.js';
import { createAzureSqlStore } from '../../src/clients/azure-sql-store.js';
import { isDependencyError } from '../../src/clients/errors.js';
import { migratePostgres } from '../../src/clients/migrate.js';
import { postgresScope } from '../../src/clients/postgres-options.js';
import { createPostgresPool } from '../../src/clients/postgres-pool.js';
import { createPostgresStore, postgresStoreOver } from '../../src/clients/postgres-store.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import { startPostgres, type LocalPostgres } from '../support/postgres.js';
import { startTdsRecorder, type TdsRecorder } from '../support/tds-recorder.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { VirtualClock } from '../support/virtual-clock.js';

const hourMs = 3_600_000;

describe('SQL adapters sign in with the provider token, fresh per new connection', () => {
  let ca: TestCa;
  let identity: IdentityEmulator;
  let postgres: LocalPostgres;
  let tds: TdsRecorder;
  let clock: VirtualClock;
  let provider: TokenProvider;

  before(async () => {
    ca = createTestCa();
    clock = new VirtualClock(Date.now());
    // The emulator stamps expiries on the provider's clock, so "an hour later" takes no time.
    [identity, postgres, tds] = await Promise.all([startIdentityEmulator({ ca, now: () => clock.now() }), startPostgres(), startTdsRecorder()]);
    provider = createTokenProvider({
      credential: credentialSettingsFromEnvironment({ IDENTITY_ENDPOINT: identity.managedIdentityEndpoint, IDENTITY_HEADER: identity.identityHeader }),
      clock,
    });
    await migratePostgres(postgres.admin);
  });

  after(async () => {
    provider.close();
    await Promise.all([identity.stop(), postgres.stop(), tds.stop()]);
    ca.cleanup();
  });

  it('PostgreSQL: the issued token is the password of a real connection, and a refreshed token signs in the next new one', async () => {
    await postgres.createAppRole('func_pg_identity');
    const first = (await provider.getToken(postgresScope)).token;
    assert.ok(identity.wasIssued(first));
    await postgres.setPassword('func_pg_identity', first);
    const pool = createPostgresPool({ settings: { host: postgres.host, port: postgres.port, database: postgres.database, user: 'func_pg_identity', ssl: false, poolMax: 2 }, provider });
    const store = postgresStoreOver(pool);
    try {
      assert.equal(await store.insertEvent({ id: 'pg-1', type: 'device.reading', occurredAt: new Date(), payload: { n: 1 } }), true);

      clock.advance(hourMs + 60_000); // the first token has expired on the provider's clock
      const second = (await provider.getToken(postgresScope)).token;
      assert.notEqual(second, first);
      assert.ok(identity.wasIssued(second));
      await postgres.setPassword('func_pg_identity', second);
      (await pool.connect()).release(true); // drop the connection signed in with the old token

      assert.equal(await store.insertEvent({ id: 'pg-2', type: 'device.reading', occurredAt: new Date(), payload: { n: 2 } }), true);
      assert.equal(await store.insertEvent({ id: 'pg-2', type: 'device.reading', occurredAt: new Date(), payload: { n: 2 } }), false, 'ON CONFLICT: a redelivery is not stored twice');
      const stale = new pg.Client({ host: postgres.host, port: postgres.port, database: postgres.database, user: 'func_pg_identity', password: first });
      await assert.rejects(stale.connect(), (error: { code?: string }) => error.code === '28P01', 'the old token no longer signs in');
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL: a role without the token is a classified sign-in failure, never a leaked password', async () => {
    const store = createPostgresStore({ settings: { host: postgres.host, port: postgres.port, database: postgres.database, user: 'no_such_role', ssl: false, poolMax: 1 }, provider });
    try {
      await assert.rejects(store.insertEvent({ id: 'x', type: 'device.reading', occurredAt: new Date(), payload: {} }), (error) => {
        // Retryable, so the host retries (a token that expired in flight is replaced) and a role that
        // truly does not exist ends in the poison queue after maxDequeueCount.
        assert.ok(isDependencyError(error) && error.code === 'sql_unavailable' && error.retryable && error.message === 'PostgreSQL error 28P01');
        return true;
      });
    } finally {
      await store.close();
    }
  });

  it('Azure SQL: the config asks for azure-active-directory-access-token over TLS, with the given token', () => {
    const config = azureSqlPoolConfig({ settings: { server: 'srv.database.windows.net', port: 1433, database: 'inventory', poolMax: 5 }, provider }, 'tok');
    assert.deepEqual(config.authentication, { type: 'azure-active-directory-access-token', options: { token: 'tok' } });
    assert.equal(config.options?.encrypt, true);
    assert.equal(config.options?.trustServerCertificate, false);
    assert.equal(config.pool?.max, 5);
  });

  it('Azure SQL: each new pooled connection carries the provider token in LOGIN7, refreshed once due', async () => {
    const settings = { server: '127.0.0.1', port: tds.port, database: 'inventory', poolMax: 2 };
    const first = (await provider.getToken(azureSqlScope)).token;
    const store = createAzureSqlStore({ settings, provider, encrypt: false });
    await assert.rejects(store.insertEvent({ id: 'sql-1', type: 'device.reading', occurredAt: new Date(), payload: {} }), (error) => isDependencyError(error) && error.retryable);
    assert.equal(tds.logins.length, 1);
    assert.ok(tds.loginCarries(0, first), 'the provider token is in the first LOGIN7');

    clock.advance(hourMs + 60_000);
    const second = (await provider.getToken(azureSqlScope)).token;
    assert.notEqual(second, first);
    await assert.rejects(store.insertEvent({ id: 'sql-1', type: 'device.reading', occurredAt: new Date(), payload: {} }));
    assert.equal(tds.logins.length, 2);
    assert.ok(tds.loginCarries(1, second) && !tds.loginCarries(1, first), 'the next new connection carries the refreshed token');
    assert.ok(identity.issuedTokens.some((t) => t.token === second && t.audience.startsWith('https://database.windows.net')));
    await store.close();
  });
});
