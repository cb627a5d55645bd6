/**
 * A token source that fails with something other than a TokenError (a bug, a library throwing a
 * plain Error): callers still get a classified, retryable TokenError with the original as its
 * cause, and the identity's gate still closes for a back-off step, so no caller can turn the bug
 * into a request loop. A scripted source on virtual time; no sockets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTokenError, type CredentialSource } from '../../src/auth/errors.js';
import { ResilientTokenProvider } from '../../src/auth/provider.js';
import type { TokenResponse, TokenSource } from '../../src/auth/token-source.js';
import { VirtualClock } from '../support/scheduled-clock.js';
import { rejectionOf } from './provider-fixture.js';

const vault = 'https://vault.azure.net/.default';
const hour = 3_600_000;

/** Fails every request with `bug` until told to answer. */
function brokenSource(kind: CredentialSource, clock: VirtualClock, bug: Error): TokenSource & { requests: number; healed: boolean } {
  const source = {
    kind,
    identity: `${kind}:test`,
    requests: 0,
    healed: false,
    requestToken(): Promise<TokenResponse> {
      source.requests += 1;
      if (!source.healed) return Promise.reject(bug);
      return Promise.resolve({ accessToken: `token-${source.requests}`, receivedAt: clock.now(), expiresOnTimestamp: clock.now() + hour });
    },
  };
  return source;
}

describe('a source failing with something other than a TokenError', () => {
  for (const [kind, code] of [
    ['managed-identity', 'managed_identity_failed_response'],
    ['certificate', 'identity_platform_unavailable'],
  ] as const) {
    it(`${kind}: the caller gets ${code}, retryable, with the original error as its cause`, async () => {
      const clock = new VirtualClock();
      const bug = new TypeError('Cannot read properties of undefined');
      const provider = new ResilientTokenProvider(brokenSource(kind, clock, bug), { clock, backoff: { random: () => 0 } });
      try {
        const error = await rejectionOf(provider.getToken(vault));
        assert.ok(isTokenError(error));
        assert.equal(error.code, code);
        assert.equal(error.retryable, true);
        assert.equal(error.source, kind);
        assert.equal(error.scope, vault);
        assert.equal(error.cause, bug);
        assert.equal(error.message, 'The token request failed unexpectedly.');
      } finally {
        provider.close();
      }
    });
  }

  it('closes the identity gate for the first back-off step (5 s): no request before it opens, one after', async () => {
    const clock = new VirtualClock();
    const source = brokenSource('managed-identity', clock, new Error('bug'));
    const provider = new ResilientTokenProvider(source, { clock, backoff: { random: () => 0 } });
    try {
      const first = await rejectionOf(provider.getToken(vault));
      assert.ok(isTokenError(first));
      assert.equal(first.retryAfterMs, 5_000);
      await clock.advance(4_999);
      await rejectionOf(provider.getToken(vault));
      assert.equal(source.requests, 1, 'callers before the opening fail fast without a request');
      await clock.advance(1);
      source.healed = true;
      assert.equal((await provider.getToken(vault)).token, 'token-2');
    } finally {
      provider.close();
    }
  });
});
