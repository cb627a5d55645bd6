/**
 * One caller giving up on a shared request: it stops waiting (with an Error, whatever the reason
 * was), the request goes on for the others, and nothing stays attached to the caller's signal.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { abandonOnAbort } from '../../src/auth/single-flight.js';

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('abandonOnAbort', () => {
  it('without a signal, the caller waits on the shared request itself', () => {
    const shared = Promise.resolve('token');
    assert.equal(abandonOnAbort(shared, undefined), shared);
  });

  it('an already aborted signal rejects at once with its reason as an Error', async () => {
    await assert.rejects(abandonOnAbort(new Promise(() => undefined), AbortSignal.abort('gave up')), (error: unknown) => error instanceof Error && error.message === 'gave up');
  });

  it('aborting while waiting rejects this caller only; the shared request still settles for the others', async () => {
    const shared = deferred<string>();
    const controller = new AbortController();
    const mine = abandonOnAbort(shared.promise, controller.signal);
    const others = abandonOnAbort(shared.promise, new AbortController().signal);
    controller.abort(new Error('deadline'));
    await assert.rejects(mine, /deadline/);
    shared.resolve('token');
    assert.equal(await others, 'token');
  });

  it('a shared success or failure reaches the caller and leaves no listener on its signal', async () => {
    const controller = new AbortController();
    const ok = deferred<string>();
    const served = abandonOnAbort(ok.promise, controller.signal);
    ok.resolve('token');
    assert.equal(await served, 'token');
    const failing = deferred<string>();
    const failed = abandonOnAbort(failing.promise, controller.signal);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    failing.reject('HTTP 503');
    await assert.rejects(failed, (error: unknown) => error instanceof Error && error.message === 'HTTP 503');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });
});
