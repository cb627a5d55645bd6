/**
 * Refresh jitter in the provider, on the injected clock against the identity emulator: the
 * refresh goes out at the jittered time (not a millisecond before), the default spreads instances
 * started at one instant, and ratio 0 restores the exact refresh point.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ResilientTokenProvider } from '../../src/auth/provider.js';
import { createTokenSource } from '../../src/auth/create-provider.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { startIdentityEmulator } from '../../src/sandbox/identity/index.js';
import { VirtualClock } from '../support/scheduled-clock.js';
import { startFixture, vaultScope } from './provider-fixture.js';

const minute = 60_000;
/** On a whole second: the emulator's expiries are whole seconds, so refresh points are exact. */
const wholeSecond = (): number => Math.floor((Date.now() - 12 * 60 * minute) / 1000) * 1000;
let ca: TestCa;
before(() => {
  ca = createTestCa();
});
after(() => ca.cleanup());

describe('refresh jitter (injected clock)', () => {
  it('a draw of 0.5 plans the refresh of a 1 h token 2.75 min early, and sends it exactly then', async () => {
    const f = await startFixture({ kind: 'managed-identity', ca, refreshJitter: () => 0.5, startAt: wholeSecond() });
    try {
      f.identity.configureServerCache({ enabled: false });
      const first = await f.provider.getToken(vaultScope);
      const receivedAt = f.clock.now();
      assert.equal(first.refreshAfterTimestamp - receivedAt, 55 * minute - 0.05 * 55 * minute);
      await f.clock.advance(first.refreshAfterTimestamp - f.clock.now() - 1);
      assert.equal(f.identity.tokenRequests('mi').length, 1, 'nothing before the jittered refresh time');
      await f.clock.advance(1);
      assert.equal(f.identity.tokenRequests('mi').length, 2, 'the refresh went out at the jittered time');
      assert.equal(f.eventsOf('refreshed').length, 1);
    } finally {
      await f.stop();
    }
  });

  it('by default, ten instances started at one instant refresh at ten different times within 10 % of the wait', async () => {
    const clock = new VirtualClock(wholeSecond());
    const identity = await startIdentityEmulator({ ca, now: () => clock.now() });
    identity.configureServerCache({ enabled: false });
    const credential = { kind: 'managed-identity' as const, managedIdentity: { protocol: 'app-service' as const, endpoint: identity.managedIdentityEndpoint, identityHeader: identity.identityHeader } };
    const providers = Array.from({ length: 10 }, () => new ResilientTokenProvider(createTokenSource({ credential, clock }), { clock }));
    try {
      const tokens = await Promise.all(providers.map((p) => p.getToken(vaultScope)));
      const waits = tokens.map((t) => t.refreshAfterTimestamp - clock.now());
      assert.equal(new Set(waits).size, 10, `refresh times ${waits.join(', ')}`);
      for (const wait of waits) assert.ok(wait <= 55 * minute && wait >= 0.9 * 55 * minute, `${wait} ms is outside the spread`);
    } finally {
      for (const p of providers) p.close();
      await identity.stop();
    }
  });

  it('the same token answered again is not spread again: its next refresh is exactly halfway to its last useful moment', async () => {
    const clock = new VirtualClock(wholeSecond());
    const expiresOn = clock.now() + 60 * minute;
    // A host that caches its token answers every request with it, until it expires.
    const provider = new ResilientTokenProvider(
      { kind: 'managed-identity', identity: 'managed-identity:system', requestToken: () => Promise.resolve({ accessToken: 'host-token', receivedAt: clock.now(), expiresOnTimestamp: expiresOn }) },
      { clock, refreshJitter: { random: () => 0.5 } },
    );
    try {
      const first = await provider.getToken(vaultScope);
      assert.equal(first.refreshAfterTimestamp - clock.now(), 55 * minute - 0.05 * 55 * minute, 'a new token is spread');
      await clock.advance(first.refreshAfterTimestamp - clock.now());
      const again = await provider.getToken(vaultScope);
      const lastUseful = expiresOn - 30_000;
      assert.equal(again.token, first.token);
      assert.equal(again.refreshAfterTimestamp, Math.round(first.refreshAfterTimestamp + (lastUseful - first.refreshAfterTimestamp) / 2));
    } finally {
      provider.close();
    }
  });

  it('ratio 0 turns it off: the refresh point is exact, whatever the draw', async () => {
    const clock = new VirtualClock(wholeSecond());
    const identity = await startIdentityEmulator({ ca, now: () => clock.now() });
    const credential = { kind: 'managed-identity' as const, managedIdentity: { protocol: 'app-service' as const, endpoint: identity.managedIdentityEndpoint, identityHeader: identity.identityHeader } };
    const provider = new ResilientTokenProvider(createTokenSource({ credential, clock }), { clock, refreshJitter: { ratio: 0, random: () => 0.9 } });
    try {
      const token = await provider.getToken(vaultScope);
      assert.equal(token.refreshAfterTimestamp - clock.now(), 55 * minute);
    } finally {
      provider.close();
      await identity.stop();
    }
  });
});
