/**
 * The system clock on injected timer functions: what it hands to `setTimeout`, checked without
 * waiting. Node replaces a delay over 2^31-1 ms with 1 ms, so a refresh planned for a 30-day
 * token would fire at once; the clock must wait such a delay out in steps. And a scheduled task
 * runs in no invocation, on Node's real timers (the async context a timer callback gets is
 * Node's business, so that part is not faked).
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { createSystemClock, systemClock, type Clock } from '../../src/auth/clock.js';
import type { InvocationInfo } from '../../src/auth/events.js';
import { currentInvocation, runInInvocation } from '../../src/invocation.js';
import { maxTimerDelayMs } from '../../src/auth/timer-steps.js';
import { FakeTimers } from '../support/fake-timers.js';

const day = 24 * 60 * 60_000;

function clockOnFakeTimers(): { clock: Clock; timers: FakeTimers } {
  const timers = new FakeTimers();
  return { clock: createSystemClock({ now: () => 0, timers }), timers };
}

describe('systemClock.schedule: any delay, never early', () => {
  it("the longest step is Node's limit for setTimeout, 2^31-1 ms", () => assert.equal(maxTimerDelayMs, 2_147_483_647));

  it('a delay setTimeout can hold is one timer of exactly that delay', () => {
    const { clock, timers } = clockOnFakeTimers();
    let fired = 0;
    clock.schedule(90 * 60_000, () => (fired += 1));
    assert.deepEqual(timers.runAll(), [90 * 60_000]);
    assert.equal(fired, 1);
  });

  it('no step handed to setTimeout is ever over 2^31-1 ms', () => {
    for (const ms of [maxTimerDelayMs, maxTimerDelayMs + 1, 30 * day, 365 * day]) {
      const { clock, timers } = clockOnFakeTimers();
      clock.schedule(ms, () => undefined);
      const steps = timers.runAll();
      assert.ok(steps.every((step) => step >= 0 && step <= maxTimerDelayMs), `${ms} ms: ${steps.join(', ')}`);
    }
  });

  it('a 30-day refresh fires after 30 days, not before: two steps, the task only after the last', () => {
    const { clock, timers } = clockOnFakeTimers();
    let fired = 0;
    clock.schedule(30 * day, () => (fired += 1));
    timers.runNext();
    assert.equal(fired, 0, 'after the first step (24.8 days) nothing has run');
    assert.equal(timers.runNext().ms, 30 * day - maxTimerDelayMs);
    assert.deepEqual([fired, timers.elapsedMs, timers.pending().length], [1, 30 * day, 0]);
  });

  it('a 1-year token waits in 15 steps that add up to exactly one year', () => {
    const { clock, timers } = clockOnFakeTimers();
    let firedAt: number | undefined;
    clock.schedule(365 * day, () => (firedAt = timers.elapsedMs));
    const steps = timers.runAll();
    assert.equal(steps.length, Math.ceil((365 * day) / maxTimerDelayMs));
    assert.equal(firedAt, 365 * day);
  });

  it('cancelling during a later step stops the chain', () => {
    const { clock, timers } = clockOnFakeTimers();
    let fired = 0;
    const cancel = clock.schedule(60 * day, () => (fired += 1));
    timers.runNext();
    cancel();
    assert.deepEqual([timers.pending().length, fired], [0, 0]);
  });

  it('every step lets the process exit (background refresh never holds a worker open)', () => {
    const { clock, timers } = clockOnFakeTimers();
    clock.schedule(30 * day, () => undefined);
    timers.runAll();
    assert.ok(timers.all.every((t) => t.unrefd));
  });

  it('a negative or NaN delay runs on the next turn', () => {
    for (const ms of [-5, Number.NaN]) {
      const { clock, timers } = clockOnFakeTimers();
      clock.schedule(ms, () => undefined);
      assert.deepEqual(timers.runAll(), [0]);
    }
  });
});

describe('systemClock.sleep: any delay, never early', () => {
  it('a 30-day sleep resolves only once the whole delay has passed', async () => {
    const { clock, timers } = clockOnFakeTimers();
    let resolved = false;
    const sleeping = clock.sleep(30 * day).then(() => (resolved = true));
    timers.runNext();
    await Promise.resolve();
    assert.equal(resolved, false);
    timers.runNext();
    await sleeping;
    assert.deepEqual([resolved, timers.elapsedMs], [true, 30 * day]);
  });

  it('keeps the process alive while someone waits on it', () => {
    const { clock, timers } = clockOnFakeTimers();
    void clock.sleep(30 * day);
    timers.runNext();
    assert.ok(timers.all.every((t) => !t.unrefd));
  });

  it('an already aborted signal rejects at once with its reason and starts no timer', async () => {
    const { clock, timers } = clockOnFakeTimers();
    await assert.rejects(clock.sleep(1_000, AbortSignal.abort(new Error('caller gave up'))), /caller gave up/);
    assert.equal(timers.all.length, 0);
  });

  it("a finished sleep leaves no listener on the caller's signal (one signal may outlive many sleeps)", async () => {
    const { clock, timers } = clockOnFakeTimers();
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    timers.runNext();
    await sleeping;
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('aborting during a later step clears it and rejects with the reason', async () => {
    const { clock, timers } = clockOnFakeTimers();
    const controller = new AbortController();
    const sleeping = clock.sleep(30 * day, controller.signal);
    timers.runNext();
    controller.abort(new Error('caller gave up'));
    await assert.rejects(sleeping, /caller gave up/);
    assert.equal(timers.pending().length, 0);
  });
});

describe('systemClock.schedule: a background task belongs to no invocation', () => {
  const invocation: InvocationInfo = { invocationId: 'inv-scheduling', functionName: 'fn', operationId: 'a'.repeat(32), parentId: 'b'.repeat(16) };

  /** What `observe` returns inside a task scheduled from inside `scheduleFrom`. */
  const seenByTask = <T>(scheduleFrom: (schedule: () => void) => void, observe: () => T): Promise<T> =>
    new Promise((resolve) => {
      // The clock's timers let the process exit; hold it open until the task has run.
      const holdOpen = setInterval(() => undefined, 60_000);
      scheduleFrom(() =>
        systemClock.schedule(0, () => {
          clearInterval(holdOpen);
          resolve(observe());
        }),
      );
    });

  it('a task scheduled during an invocation does not see that invocation when it runs', async () => {
    assert.equal(await seenByTask((schedule) => runInInvocation(invocation, schedule), currentInvocation), undefined);
  });

  it('nor any other AsyncLocalStorage store (OpenTelemetry keeps its active span in one)', async () => {
    const storage = new AsyncLocalStorage<string>();
    assert.equal(await seenByTask((schedule) => storage.run('caller', schedule), () => storage.getStore()), undefined);
  });

  it('whoever fires the timer: the task runs detached even from a timer function that calls back in place', () => {
    const timers = new FakeTimers();
    const clock = createSystemClock({ now: () => 0, timers });
    let seen: InvocationInfo | undefined = invocation;
    clock.schedule(10, () => (seen = currentInvocation()));
    runInInvocation(invocation, () => timers.runNext());
    assert.equal(seen, undefined);
  });

  it("on Node's own timers, a cancelled task never runs", async () => {
    let fired = 0;
    const cancel = systemClock.schedule(1, () => (fired += 1));
    cancel();
    // Well past the 1 ms delay: a timer that was not cleared has fired by now.
    await systemClock.sleep(25);
    assert.equal(fired, 0);
  });

  it('sleep is not background work: the caller continues in its own invocation', async () => {
    const after = await runInInvocation(invocation, async () => {
      await systemClock.sleep(0);
      return currentInvocation();
    });
    assert.equal(after, invocation);
  });
});
