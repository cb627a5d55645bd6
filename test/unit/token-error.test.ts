/**
 * TokenError is a value: its facts survive every copy a caller or telemetry gets, its JSON never
 * carries the cause (which may quote secrets), and the type guard works across module copies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configurationError, isTokenError, TokenError, type TokenErrorDetails } from '../../src/auth/errors.js';

const facts: Required<Omit<TokenErrorDetails, 'cause'>> = {
  status: 429,
  retryAfterMs: 7_000,
  retryAt: 1_000_007_000,
  retryable: true,
  source: 'certificate',
  scope: 'https://vault.azure.net/.default',
  setting: 'AZURE_CLIENT_ID',
  correlationId: 'corr',
  traceId: 'trace',
  errorCodes: [50196],
  platformError: 'temporarily_unavailable',
  requestId: 'request',
  clientRequestId: 'client-request',
  invocationId: 'invocation-1',
};

describe('TokenError', () => {
  it('keeps every fact it is given, and details() hands them all back', () => {
    const error = new TokenError('throttled', 'slow down', facts);
    assert.deepEqual(error.details(), facts);
    assert.equal(error.code, 'throttled');
    assert.equal(error.message, 'slow down');
    assert.equal(error.name, 'TokenError');
  });

  it('is not retryable and has no cause unless told', () => {
    const error = new TokenError('token_request_rejected', 'no');
    assert.equal(error.retryable, false);
    assert.equal('cause' in error, false);
  });

  it('withInvocation: a new error with the same facts and cause, for another invocation', () => {
    const cause = new Error('socket hang up');
    const error = new TokenError('throttled', 'slow down', { ...facts, cause });
    const copy = error.withInvocation('invocation-2');
    assert.notEqual(copy, error);
    assert.deepEqual(copy.details(), { ...facts, invocationId: 'invocation-2' });
    assert.equal(copy.cause, cause);
    assert.equal(copy.message, error.message);
    assert.equal(error.invocationId, 'invocation-1', 'the original is unchanged');
  });

  it('withRetryAt: stamped with the next request time and the wait from now, never negative', () => {
    const cause = new Error('busy');
    const error = new TokenError('identity_platform_unavailable', 'busy', { ...facts, cause });
    const later = error.withRetryAt(2_000_000, 1_995_000);
    assert.deepEqual(later.details(), { ...facts, retryAt: 2_000_000, retryAfterMs: 5_000 });
    assert.equal(later.cause, cause);
    assert.equal(error.withRetryAt(2_000_000, 2_000_001).retryAfterMs, 0);
  });

  it('toJSON: name, code, message and the facts, never the cause', () => {
    const error = new TokenError('throttled', 'slow down', { ...facts, cause: new Error('Bearer secret-token') });
    assert.deepEqual(error.toJSON(), { name: 'TokenError', code: 'throttled', message: 'slow down', ...facts });
    assert.ok(!JSON.stringify(error).includes('secret-token'));
  });
});

describe('isTokenError', () => {
  it('a TokenError, or a copy branded by another install of this package, is one', () => {
    assert.equal(isTokenError(new TokenError('throttled', 'x')), true);
    assert.equal(isTokenError({ [Symbol.for('resilient-daemon-functions.TokenError')]: true }), true);
  });

  for (const [name, value] of [
    ['null', null],
    ['undefined (a promise rejected with no reason)', undefined],
    ['a string', 'TokenError'],
    ['an Error with a code', Object.assign(new Error('x'), { code: 'throttled', name: 'TokenError' })],
    ['a brand that is not true', { [Symbol.for('resilient-daemon-functions.TokenError')]: 'yes' }],
  ] as const) {
    it(`${name} is not one`, () => assert.equal(isTokenError(value), false));
  }
});

describe('configurationError', () => {
  it('names the setting in its message and fields, is not retryable and keeps the cause', () => {
    const cause = new Error('ENOENT');
    const error = configurationError('AZURE_CLIENT_CERTIFICATE_PATH', 'The file is missing', cause);
    assert.equal(error.code, 'configuration_error');
    assert.equal(error.message, 'The file is missing (setting: AZURE_CLIENT_CERTIFICATE_PATH)');
    assert.equal(error.setting, 'AZURE_CLIENT_CERTIFICATE_PATH');
    assert.equal(error.retryable, false);
    assert.equal(error.cause, cause);
  });
});
