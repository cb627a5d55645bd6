import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadlinePassed, DeadlineExceeded, networkErrorCode } from '../../src/auth/network-errors.js';

describe('networkErrorCode: "we never got an answer"', () => {
  const unreachable = [
    'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ETIMEDOUT', 'EPIPE',
    'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'REQUEST_SEND_ERROR',
  ];
  for (const code of unreachable) {
    it(`${code} is a network error, also when wrapped as a cause`, () => {
      const error = Object.assign(new Error('boom'), { code });
      assert.equal(networkErrorCode(error), code);
      assert.equal(networkErrorCode(new Error('wrapped', { cause: new Error('inner', { cause: error }) })), code);
    });
  }
  it('a message that says the socket hung up, reset or was refused is a reset, whatever its code', () => {
    for (const message of ['socket hang up', 'read ECONNRESET', 'connect ECONNREFUSED 127.0.0.1:1']) {
      assert.equal(networkErrorCode(new Error(message)), 'ECONNRESET', message);
    }
  });

  it('looks five causes deep, no deeper (a cause chain can be a cycle)', () => {
    const atDepth = (depth: number): Error => {
      let error: Error = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      for (let i = 0; i < depth; i += 1) error = new Error(`wrap ${i}`, { cause: error });
      return error;
    };
    assert.equal(networkErrorCode(atDepth(4)), 'ECONNREFUSED');
    assert.equal(networkErrorCode(atDepth(5)), undefined);
    const cycle: Error & { cause?: unknown } = new Error('a');
    cycle.cause = cycle;
    assert.equal(networkErrorCode(cycle), undefined);
  });

  it('an HTTP-level or programming error is not', () => {
    assert.equal(networkErrorCode(new TypeError('x is undefined')), undefined);
    assert.equal(networkErrorCode(Object.assign(new Error('bad'), { code: 'ERR_INVALID_ARG_TYPE' })), undefined);
    assert.equal(networkErrorCode('string'), undefined);
    assert.equal(networkErrorCode(null), undefined);
    assert.equal(networkErrorCode({ code: 42, message: 42 }), undefined);
  });
});

describe('DeadlineExceeded', () => {
  it("reads as a TimeoutError, like AbortSignal.timeout()'s reason, for code that checks the name", () => {
    assert.equal(new DeadlineExceeded('no answer').name, 'TimeoutError');
  });
});

describe('deadlinePassed: only the request deadline makes a timeout', () => {
  it('a signal aborted with DeadlineExceeded: the deadline passed', () => {
    const controller = new AbortController();
    controller.abort(new DeadlineExceeded('deadline'));
    assert.equal(deadlinePassed(controller.signal), true);
  });

  it("a caller's own abort is not the deadline passing", () => {
    const controller = new AbortController();
    controller.abort(new Error('caller gave up'));
    assert.equal(deadlinePassed(controller.signal), false);
  });

  it('a signal not aborted: no deadline has passed', () => assert.equal(deadlinePassed(new AbortController().signal), false));
});
