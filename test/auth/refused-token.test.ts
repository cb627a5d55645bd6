/**
 * A resource that refuses a token (a database sign-in failing with it) gets another one: the
 * refused token is not served from the cache again, and concurrent refusals of it cost one request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { sqlScope, startFixture } from './provider-fixture.js';

describe('getToken with refusedToken', () => {
  let ca: TestCa;
  before(() => (ca = createTestCa()));
  after(() => ca.cleanup());

  it('skips the refused cached token, asks the platform once for all concurrent callers, and serves the new one from the cache', async () => {
    const f = await startFixture({ kind: 'managed-identity', ca });
    try {
      f.identity.configureServerCache({ enabled: false });
      const refused = (await f.provider.getToken(sqlScope)).token;
      assert.equal((await f.provider.getToken(sqlScope)).token, refused, 'without a refusal the cached token is served');
      const fresh = await Promise.all(Array.from({ length: 5 }, () => f.provider.getToken(sqlScope, { refusedToken: refused })));
      assert.equal(f.identity.tokenRequests('mi').length, 2, 'one request for the first token, one for all refusals');
      assert.ok(fresh.every((t) => t.token !== refused && t.token === fresh[0]?.token));
      const later = await f.provider.getToken(sqlScope, { refusedToken: refused });
      assert.equal(later.token, fresh[0]?.token);
      assert.equal(later.fromCache, true, 'a refusal of an older token does not bypass the newer one');
    } finally {
      await f.stop();
    }
  });
});
