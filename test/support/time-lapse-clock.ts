/**
 * The real system clock, sped up: time runs `factor` times faster and every delay is handed to
 * `systemClock` divided by `factor`. Tests that must exercise Node's real timers (the async
 * context a timer callback runs in) use it to see a 10 s refresh fire after 100 ms.
 */
import { systemClock, type Clock } from '../../src/auth/clock.js';

export class TimeLapseClock implements Clock {
  private readonly start = Date.now();

  constructor(private readonly factor: number) {}

  now = (): number => this.start + (Date.now() - this.start) * this.factor;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> => systemClock.sleep(ms / this.factor, signal);

  schedule = (ms: number, task: () => void): (() => void) => systemClock.schedule(ms / this.factor, task);
}
