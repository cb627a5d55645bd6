import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { networkErrorCode } from '../../src/auth/network-errors.js';

describe('networkErrorCode: "we never got an answer"', () => {
  const unreachable = ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE'];
  for (const code of unreachable) {
    it(`${code} is a network error, also when wrapped as a cause`, () => {
      const error = Object.assign(new Error('boom'), { code });
      assert.equal(networkErrorCode(error), code);
      assert.equal(networkErrorCode(new Error('wrapped', { cause: new Error('inner', { cause: error }) })), code);
    });
  }
  it('an HTTP-level or programming error is not', () => {
    assert.equal(networkErrorCode(new TypeError('x is undefined')), undefined);
    assert.equal(networkErrorCode(Object.assign(new Error('bad'), { code: 'ERR_INVALID_ARG_TYPE' })), undefined);
    assert.equal(networkErrorCode('string'), undefined);
  });
});
