/** A Clock on virtual time for the function tests: `sleep` records the wait and advances at once. */
import type { Clock } from '../../src/auth/clock.js';

export class VirtualClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private time: number) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += Math.max(0, ms);
    return Promise.resolve();
  }
  schedule(_ms: number, _task: () => void): () => void {
    return () => undefined;
  }
}
