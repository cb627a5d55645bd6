/**
 * Against a host that keeps handing out its cached token until it expires (the emulator's
 * default, IMDS-like), refresh-ahead costs a handful of requests per token lifetime on the
 * injected clock, while callers are served throughout and no two requests are closer than the floor.
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

describe('refresh against a host that renews its cached token only at expiry (injected clock)', () => {
  it('1 h tokens, a caller every minute for 3 h: at most 10 requests per token lifetime, none within the floor', async () => {
    const f = await startFixture({ kind: 'managed-identity', ca });
    try {
      f.identity.setDefaultLifetime(3_600, { includeExpiresIn: true });
      const failures: unknown[] = [];
      for (let t = 0; t < 180; t++) {
        await f.provider.getToken(vaultScope).catch((error: unknown) => failures.push(error));
        await f.clock.advance(minute);
      }
      assert.deepEqual(failures, [], 'every caller was served');
      const times = f.identity.tokenRequests('mi').map((r) => r.time);
      const lifetimes = f.identity.issuedTokens.length;
      assert.ok(times.length <= 10 * lifetimes, `${times.length} requests for ${lifetimes} token lifetimes`);
      times.slice(1).forEach((at, i) => assert.ok(at - (times[i] as number) >= 5_000, `requests ${i} and ${i + 1} closer than the floor`));
    } finally {
      await f.stop();
    }
  });
});
