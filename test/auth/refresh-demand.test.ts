/**
 * Refresh ahead exists so that callers never wait; with no caller it would only feed itself. A
 * background refresh is sent only when a caller was served since the previous request, so a token
 * too short to refresh ahead (the 1-second token) cannot turn into an endless request loop, and an
 * idle instance stops after one unused refresh.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { startFixture, vaultScope } from './provider-fixture.js';

let ca: TestCa;
let certificate: ClientCertificate;
before(() => {
  ca = createTestCa();
  certificate = ca.makeClientCertificate('refresh-demand');
});
after(() => ca.cleanup());

for (const kind of ['managed-identity', 'certificate'] as const) {
  const target = kind === 'managed-identity' ? 'mi' : 'entra';
  describe(`refresh ahead follows demand (${kind})`, () => {
    it('a 1-second token sends no request once callers stop', async () => {
      const f = await startFixture({ kind, ca, certificate });
      try {
        f.identity.setPersistentFault(target, { kind: 'success', lifetimeSeconds: 1, includeExpiresIn: true });
        await f.provider.getToken(vaultScope);
        const afterCaller = f.identity.tokenRequests(target).length;
        await f.clock.advance(60_000);
        const idle = f.identity.tokenRequests(target).length - afterCaller;
        assert.ok(idle <= 1, `at most one refresh ahead of a caller that never came back, got ${idle} in a minute`);
      } finally {
        await f.stop();
      }
    });

    it('an unused refreshed token is not refreshed again; the next caller gets a new one', async () => {
      const f = await startFixture({ kind, ca, certificate });
      try {
        f.identity.configureServerCache({ enabled: false });
        const first = await f.provider.getToken(vaultScope);
        await f.clock.advance(3 * 60 * 60_000);
        assert.equal(f.identity.tokenRequests(target).length, 2, 'the acquisition and one refresh ahead of it');
        const later = await f.provider.getToken(vaultScope);
        assert.notEqual(later.token, first.token);
        assert.ok(f.identity.wasIssued(later.token));
        assert.equal(f.identity.tokenRequests(target).length, 3);
      } finally {
        await f.stop();
      }
    });

    it('while callers keep using it, the token keeps being refreshed ahead and no caller waits', async () => {
      const f = await startFixture({ kind, ca, certificate });
      try {
        f.identity.configureServerCache({ enabled: false });
        await f.provider.getToken(vaultScope);
        for (let minute = 0; minute < 180; minute += 10) {
          await f.clock.advance(10 * 60_000);
          const token = await f.provider.getToken(vaultScope);
          assert.equal(token.fromCache, true, `served from the cache at minute ${minute + 10}`);
        }
      } finally {
        await f.stop();
      }
    });
  });
}
