/**
 * Stand-ins for `setTimeout`/`clearTimeout` that record every timer and run one only when the
 * test says so: the seam for checking what delays the system clock hands to Node.
 */
import type { TimerFunctions, TimerHandle } from '../../src/auth/timer-steps.js';

export interface FakeTimer extends TimerHandle {
  ms: number;
  callback: () => void;
  unrefd: boolean;
  cleared: boolean;
  ran: boolean;
}

export class FakeTimers implements TimerFunctions<FakeTimer> {
  readonly all: FakeTimer[] = [];
  /** Sum of the delays of the timers run so far: how long real timers would have taken. */
  elapsedMs = 0;

  setTimeout = (callback: () => void, ms: number): FakeTimer => {
    const timer: FakeTimer = {
      ms,
      callback,
      unrefd: false,
      cleared: false,
      ran: false,
      unref() {
        timer.unrefd = true;
        return timer;
      },
    };
    this.all.push(timer);
    return timer;
  };

  clearTimeout = (timer: FakeTimer): void => {
    timer.cleared = true;
  };

  pending(): FakeTimer[] {
    return this.all.filter((t) => !t.cleared && !t.ran);
  }

  /** Runs the one pending timer (each clock timer waits in one step at a time). */
  runNext(): FakeTimer {
    const [next, ...others] = this.pending();
    if (next === undefined || others.length > 0) throw new Error(`expected exactly one pending timer, found ${this.pending().length}`);
    next.ran = true;
    this.elapsedMs += next.ms;
    next.callback();
    return next;
  }

  /** Runs timers until none is pending; returns the delay of each step. */
  runAll(): number[] {
    const steps: number[] = [];
    while (this.pending().length > 0) steps.push(this.runNext().ms);
    return steps;
  }
}
