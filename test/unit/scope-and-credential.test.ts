/**
 * What a daemon app may ask for: exactly one static `<resource>/.default` scope per request, from
 * getToken and from the TokenCredential adapter alike; anything else is invalid_scope before any
 * request is sent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { AccessToken } from '@azure/core-auth';
import { createTokenCredential } from '../../src/auth/credential-adapter.js';
import { isTokenError } from '../../src/auth/errors.js';
import { hideSecrets } from '../../src/auth/safe-inspect.js';
import { assertDefaultScope, invalidScopeReason } from '../../src/auth/scope.js';
import type { GetTokenOptions } from '../../src/auth/types.js';

const vault = 'https://vault.azure.net/.default';

describe('invalidScopeReason', () => {
  const cases: [unknown, string | undefined][] = [
    [vault, undefined],
    [undefined, 'the scope is empty'],
    ['', 'the scope is empty'],
    ['   ', 'the scope is empty'],
    ['https://vault.azure.net', "'https://vault.azure.net' does not end with '/.default'"],
    ['https://vault.azure.net/user_impersonation', "'https://vault.azure.net/user_impersonation' does not end with '/.default'"],
    [`https://graph.microsoft.com/.default ${vault}`, `'https://graph.microsoft.com/.default ${vault}' contains whitespace (one scope per request)`],
  ];
  for (const [scope, expected] of cases) {
    it(`${JSON.stringify(scope)} -> ${expected ?? 'valid'}`, () => assert.equal(invalidScopeReason(scope), expected));
  }
});

describe('assertDefaultScope', () => {
  it('an invalid scope is invalid_scope, not retryable, naming the scope and the form to use', () => {
    assert.throws(
      () => assertDefaultScope('https://vault.azure.net'),
      (error: unknown) =>
        isTokenError(error) &&
        error.code === 'invalid_scope' &&
        error.retryable === false &&
        error.scope === 'https://vault.azure.net' &&
        error.message === "Invalid scope: 'https://vault.azure.net' does not end with '/.default'. Daemon apps request '<resource>/.default', e.g. 'https://vault.azure.net/.default'.",
    );
  });

  it('a scope that is not a string is not copied onto the error', () => {
    assert.throws(() => assertDefaultScope(42), (error: unknown) => isTokenError(error) && error.code === 'invalid_scope' && error.scope === undefined);
  });

  it('a valid scope passes', () => assert.doesNotThrow(() => assertDefaultScope(vault)));
});

describe('the TokenCredential adapter', () => {
  function adapter(): { credential: ReturnType<typeof createTokenCredential>; calls: [string, GetTokenOptions | undefined][] } {
    const calls: [string, GetTokenOptions | undefined][] = [];
    const token: AccessToken = { token: 't', expiresOnTimestamp: 1 };
    const credential = createTokenCredential({
      source: 'certificate',
      getAccessToken: (scope, options) => {
        calls.push([scope, options]);
        return Promise.resolve(token);
      },
    });
    return { credential, calls };
  }

  it('one scope, as a string or a one-element array, is asked for as is; options without a signal or a wait build nothing', async () => {
    const { credential, calls } = adapter();
    await credential.getToken(vault);
    await credential.getToken([vault], {});
    assert.deepEqual(calls, [
      [vault, undefined],
      [vault, undefined],
    ]);
  });

  it("the SDK's abort signal and a maxWaitMs reach the provider", async () => {
    const { credential, calls } = adapter();
    const signal = new AbortController().signal;
    await credential.getToken(vault, { abortSignal: signal });
    await credential.getToken(vault, { maxWaitMs: 2_000 });
    assert.deepEqual(calls, [
      [vault, { signal, maxWaitMs: undefined }],
      [vault, { signal: undefined, maxWaitMs: 2_000 }],
    ]);
  });

  for (const scopes of [[], [vault, 'https://database.windows.net/.default']]) {
    it(`${scopes.length} scopes: invalid_scope from the provider's source, nothing asked`, async () => {
      const { credential, calls } = adapter();
      await assert.rejects(credential.getToken(scopes), (error: unknown) => {
        assert.ok(isTokenError(error));
        assert.equal(error.code, 'invalid_scope');
        assert.equal(error.source, 'certificate');
        assert.equal(error.retryable, false);
        assert.equal(error.message, `Exactly one '<resource>/.default' scope per request; got ${scopes.length}.`);
        return true;
      });
      assert.equal(calls.length, 0);
    });
  }
});

describe('hideSecrets', () => {
  it('a secret that is set prints as hidden; one that is not set stays absent, as in the object', () => {
    const settings = hideSecrets({ endpoint: 'http://169.254.169.254', identityHeader: undefined as string | undefined, password: 'hunter2' }, ['identityHeader', 'password']);
    assert.equal(JSON.stringify(settings), '{"endpoint":"http://169.254.169.254","password":"[hidden]"}');
    assert.equal(inspect(settings, { breakLength: Infinity }), "{ endpoint: 'http://169.254.169.254', identityHeader: undefined, password: '[hidden]' }");
    assert.equal(settings.password, 'hunter2', 'readers still get the value');
  });
});
