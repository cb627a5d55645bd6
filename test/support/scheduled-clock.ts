/**
 * Virtual time for schedules: `advance(ms)` runs due timers in order, letting promise chains
 * settle between them, so a 5 s back-off or a 24 h token is tested in milliseconds.
 */
import type { Clock } from '../../src/auth/clock.js';

interface Timer {
  at: number;
  seq: number;
  task: () => void;
}

/** Lets pending promise callbacks and I/O callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class VirtualClock implements Clock {
  private time: number;
  private timers: Timer[] = [];
  private seq = 0;
  /**
   * Real I/O started by a timer (a refresh over a socket) takes real time; `afterTimer` lets a
   * test wait for it before virtual time moves on, so a response is handled at the virtual
   * instant it belongs to.
   */
  afterTimer: (() => Promise<void>) | undefined;

  /**
   * Starts 12 h behind real time: MSAL stamps client assertions with real time, and the emulator
   * checks their expiry against this clock, so virtual time must stay behind real time.
   */
  constructor(start = Date.now() - 12 * 60 * 60_000) {
    this.time = start;
  }

  now = (): number => this.time;

  schedule(ms: number, task: () => void): () => void {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, task };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const cancel = this.schedule(ms, resolve);
      signal?.addEventListener(
        'abort',
        () => {
          cancel();
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        },
        { once: true },
      );
    });
  }

  /** Timers not yet run, for assertions like "a refresh is scheduled at T". */
  pendingTimers(): number[] {
    return this.timers.map((t) => t.at).sort((a, b) => a - b);
  }

  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.task();
      if (this.afterTimer) await this.afterTimer();
    }
    this.time = target;
    await settle();
  }

  /**
   * The host froze the process for `ms` (a Consumption-plan instance between invocations, a
   * suspended machine): time jumps at once, and the timers that fell due meanwhile run late, at
   * the new time.
   */
  async resume(ms: number): Promise<void> {
    this.time += ms;
    await this.advance(0);
  }
}

/** Polls (real time, a few ms at a time) until `condition` holds; for "the request has arrived". */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
