/** The provider's observable behaviour as typed events, in the order a user would see them. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTokenProvider } from '../../src/auth/create-provider.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { waitUntil } from '../support/scheduled-clock.js';
import { rejectionOf, startFixture, vaultScope } from './provider-fixture.js';

let ca: TestCa;
before(() => {
  ca = createTestCa();
});
after(() => ca.cleanup());

describe('token events', () => {
  it('acquired, served-from-cache (when asked for), refreshed, refresh-failed, throttled and failed, each with its facts', async () => {
    const f = await startFixture({ kind: 'managed-identity', ca, cacheHitEvents: true });
    try {
      const first = await f.provider.getToken(vaultScope);
      await f.provider.getToken(vaultScope);
      assert.deepEqual(
        f.events.map((e) => e.type),
        ['cache-miss', 'identity-request', 'acquired', 'served-from-cache'],
      );
      const request = f.eventsOf('identity-request')[0];
      assert.equal(request?.status, 200);
      assert.equal(request?.success, true);
      assert.equal(request?.target, new URL(f.identity.managedIdentityEndpoint).origin);
      assert.equal(request?.requestId, f.identity.tokenRequests('mi')[0]?.requestId);
      const acquired = f.eventsOf('acquired')[0];
      assert.equal(acquired?.expiresOnTimestamp, first.expiresOnTimestamp);
      assert.equal(acquired?.identity, 'managed-identity:system');
      assert.equal(acquired?.background, false);

      // A refresh that is throttled: refresh-failed (the token is still served) and throttled.
      f.identity.script('mi', { kind: 'status', status: 429, retryAfter: '60' });
      await f.clock.advance(first.refreshAfterTimestamp - f.clock.now());
      await waitUntil(() => f.eventsOf('refresh-failed').length === 1, 'refresh-failed');
      const throttled = f.eventsOf('throttled')[0];
      assert.equal(throttled?.retryAfterMs, 60_000);
      assert.equal(throttled?.background, true, 'a throttled refresh is background work');
      assert.equal(f.eventsOf('refresh-failed')[0]?.nextAttemptAt, throttled?.gateOpensAt);
      assert.equal(f.eventsOf('refresh-failed')[0]?.tokenExpiresOnTimestamp, first.expiresOnTimestamp);
      assert.equal(f.eventsOf('failed').length, 0, 'a failed background refresh with a valid token is not a failure');

      await f.clock.advance(60_000);
      await waitUntil(() => f.eventsOf('refreshed').length === 1, 'refreshed');
      assert.equal(f.eventsOf('refreshed')[0]?.background, true);

      // A cold failure on another scope is `failed`, with the classified error.
      f.identity.script('mi', { kind: 'status', status: 500 });
      await rejectionOf(f.provider.getToken('https://database.windows.net/.default'));
      const failed = f.eventsOf('failed')[0];
      assert.equal(failed?.error.code, 'managed_identity_failed_response');
      assert.equal(failed?.scope, 'https://database.windows.net/.default');
      assert.equal(f.eventsOf('cache-miss').at(-1)?.reason, 'cold');
    } finally {
      await f.stop();
    }
  });

  it('by default a cache hit raises no event, so the listener is never called for it: it is only counted', async () => {
    const f = await startFixture({ kind: 'managed-identity', ca });
    try {
      await f.provider.getToken(vaultScope);
      const before = f.events.length;
      for (let i = 0; i < 100; i += 1) await f.provider.getToken(vaultScope);
      await f.provider.credential.getToken(vaultScope);
      assert.equal(f.events.length, before, 'no event of any kind for a hit');
      assert.equal(f.provider.cacheStats().scopes[0]?.hits, 101);
    } finally {
      await f.stop();
    }
  });

  it('a throwing listener never breaks token acquisition', async () => {
    const f = await startFixture({ kind: 'managed-identity', ca });
    const provider = createTokenProvider({
      credential: { kind: 'managed-identity', managedIdentity: { protocol: 'app-service', endpoint: f.identity.managedIdentityEndpoint, identityHeader: f.identity.identityHeader } },
      clock: f.clock,
      events: () => {
        throw new Error('listener bug');
      },
    });
    try {
      const token = await provider.getToken(vaultScope);
      assert.ok(f.identity.wasIssued(token.token));
    } finally {
      provider.close();
      await f.stop();
    }
  });
});
