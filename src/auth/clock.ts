/**
 * Time as a dependency. Every schedule in src/auth (gate, back-off, refresh-ahead) reads time
 * through this port so that tests of a 5 s back-off or a 24 h token run on virtual time.
 */
import { runInBackgroundContext } from './background-context.js';
import { startTimer, type TimerFunctions, type TimerHandle } from './timer-steps.js';

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Runs `task` after `ms` without keeping the process alive (background refresh must never
   * hold a Functions worker or a CLI open), outside the async context of whoever scheduled it:
   * a refresh timer set while an invocation acquired a token does not belong to that
   * invocation. Returns a function that cancels it.
   */
  schedule(ms: number, task: () => void): () => void;
}

export interface SystemClockDeps<Handle extends TimerHandle> {
  now: () => number;
  timers: TimerFunctions<Handle>;
}

/** A clock on the given time source and timers; delays of any length wait until they have truly passed. */
export function createSystemClock<Handle extends TimerHandle>({ now, timers }: SystemClockDeps<Handle>): Clock {
  return {
    now: () => now(),
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason as Error);
          return;
        }
        const onAbort = (): void => {
          cancel();
          reject(signal?.reason as Error);
        };
        const cancel = startTimer(
          timers,
          ms,
          () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          true,
        );
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    schedule(ms, task) {
      return startTimer(timers, ms, () => runInBackgroundContext(task), false);
    },
  };
}

export const systemClock: Clock = createSystemClock({
  now: () => Date.now(),
  timers: { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle) },
});
