/**
 * After a hung refresh has met its deadline, the provider (and the fixture's virtual time) carry
 * on as before: the retry brings a token, and every later refresh is one request answered at its
 * own virtual instant, not abandoned by a deadline that virtual time ran past.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { startFixture, vaultScope } from './provider-fixture.js';

const minute = 60_000;
let ca: TestCa;
before(() => {
  ca = createTestCa();
});
after(() => ca.cleanup());

describe('a hung refresh, then hours of refreshes (injected clock)', () => {
  it('one failed refresh for the hang, then one successful request per refresh', async () => {
    const f = await startFixture({ kind: 'managed-identity', ca });
    try {
      f.identity.configureServerCache({ enabled: false });
      const first = await f.provider.getToken(vaultScope);
      f.identity.script('mi', { kind: 'hang' });
      // The refresh hangs, meets its 10 s deadline, and the back-off retry brings a token.
      await f.clock.advance(first.refreshAfterTimestamp - f.clock.now() + 10_000 + 6_000 * 1.2);
      assert.equal(f.eventsOf('refresh-failed').length, 1, 'the hang cost one failed refresh');
      assert.equal(f.eventsOf('refreshed').length, 1, 'the retry brought a token');
      // Four more hours in big steps, with a caller each hour (a token nobody uses is not refreshed
      // again): every refresh is one request, none fails.
      for (let i = 0; i < 4; i++) {
        await f.provider.getToken(vaultScope);
        await f.clock.advance(60 * minute);
      }
      assert.equal(f.eventsOf('refresh-failed').length, 1, 'no refresh failed after the hang');
      const requests = f.identity.tokenRequests('mi');
      assert.equal(requests.filter((r) => r.status === 200).length, f.eventsOf('refreshed').length + 1);
      assert.ok(f.eventsOf('refreshed').length >= 5, `${f.eventsOf('refreshed').length} refreshes in 4 h of 1 h tokens`);
    } finally {
      await f.stop();
    }
  });
});
