/**
 * A managed-identity host answers a refresh with the token it already handed out until it renews
 * it. Past the refresh point, the next attempt is planned halfway to the last useful moment, so a
 * lifetime costs a handful of requests, never one every refresh floor.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refreshAfterTimestamp } from '../../src/auth/refresh-time.js';

const now = Date.UTC(2026, 11, 1, 9, 0, 0);
const minute = 60_000;
const hour = 60 * minute;

describe('refreshAfterTimestamp for the same token, past its refresh point', () => {
  it('a 24 h token answered again at half-life: next attempt halfway to the last useful moment', () => {
    const receivedAt = now + 12 * hour;
    const at = refreshAfterTimestamp({ receivedAt, firstReceivedAt: now, expiresOnTimestamp: now + 24 * hour, skewMs: 30_000 });
    assert.equal(at - receivedAt, (12 * hour - 30_000) / 2);
  });

  it('attempts halve the time left, so a 24 h token costs a few dozen requests, not thousands', () => {
    const expiresOn = now + 24 * hour;
    let receivedAt = now + 12 * hour;
    let requests = 1;
    while (receivedAt < expiresOn - 30_000) {
      const next = refreshAfterTimestamp({ receivedAt, firstReceivedAt: now, expiresOnTimestamp: expiresOn, skewMs: 30_000 });
      if (next >= expiresOn - 30_000) break;
      assert.ok(next - receivedAt >= 5_000, 'never closer than the floor');
      receivedAt = next;
      requests += 1;
    }
    assert.ok(requests <= 20, `${requests} requests between half-life and the last useful moment`);
  });
});
