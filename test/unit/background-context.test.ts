/**
 * The background context is created when its module loads. APM agents, and AsyncLocalStorage on
 * Node 22, enable an async_hooks init hook; with one enabled Node refuses an async resource with an
 * empty type name, so the module must still load and run work then.
 */
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { it } from 'node:test';

it('loads and runs work while an async_hooks init hook is enabled, as APM agents and AsyncLocalStorage enable one', async () => {
  const hook = createHook({ init() {} }).enable();
  try {
    const { runInBackgroundContext } = await import('../../src/auth/background-context.js');
    assert.equal(runInBackgroundContext(() => 42), 42);
  } finally {
    hook.disable();
  }
});
