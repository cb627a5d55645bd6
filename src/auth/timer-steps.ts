/**
 * A timeout of any length on Node's timers. `setTimeout` holds a delay in a signed 32-bit
 * integer: anything over 2^31-1 ms (24.8 days) is replaced by 1 ms (with a TimeoutOverflowWarning),
 * so a refresh planned for a 30-day token would fire at once. A longer delay is waited out in
 * steps of at most that size, and the callback runs only when the whole delay has passed.
 */

/** The longest delay `setTimeout` honours (Node.js docs, `setTimeout`: "larger than 2147483647 … set to 1"). */
export const maxTimerDelayMs = 2 ** 31 - 1;

/** What a timer handle must offer; Node's `Timeout` does. */
export interface TimerHandle {
  /** Lets the process exit while the timer waits. */
  unref(): unknown;
}

/** The slice of Node's timer functions the clock uses, injected so tests see every step without waiting. */
export interface TimerFunctions<Handle extends TimerHandle = TimerHandle> {
  setTimeout(callback: () => void, ms: number): Handle;
  clearTimeout(handle: Handle): void;
}

/**
 * Calls `fire` once `ms` have passed (a negative or NaN delay means now; Infinity, never).
 * `keepAlive: false` unrefs every step. Returns a function that cancels whichever step is waiting.
 */
export function startTimer<Handle extends TimerHandle>(timers: TimerFunctions<Handle>, ms: number, fire: () => void, keepAlive: boolean): () => void {
  let remaining = ms > 0 ? ms : 0;
  let handle: Handle;
  const arm = (): void => {
    const step = Math.min(remaining, maxTimerDelayMs);
    remaining -= step;
    handle = timers.setTimeout(remaining > 0 ? arm : fire, step);
    if (!keepAlive) handle.unref();
  };
  arm();
  return () => timers.clearTimeout(handle);
}
