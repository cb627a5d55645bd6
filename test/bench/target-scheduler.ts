/**
 * Admission of targets to the machine, first come first served. An exclusive target (one whose
 * figure comes from the emulators' request log, faults or clock) runs alone; other targets run
 * up to `parallelism` at a time (1 for a real run, so timings see a quiet machine; 2 for the
 * quick smoke run, whose numbers are not compared).
 */
interface Waiting {
  exclusive: boolean;
  start: () => void;
}

export class TargetScheduler {
  private running = 0;
  private exclusiveRunning = false;
  private readonly queue: Waiting[] = [];

  constructor(private readonly parallelism: number) {}

  /** Whether nothing else runs now (the emulators may be reset). */
  get alone(): boolean {
    return this.running === 1;
  }

  async run<T>(exclusive: boolean, work: () => Promise<T>): Promise<T> {
    await new Promise<void>((start) => {
      this.queue.push({ exclusive, start });
      this.admit();
    });
    try {
      return await work();
    } finally {
      this.running--;
      this.exclusiveRunning = false;
      this.admit();
    }
  }

  private admit(): void {
    for (;;) {
      const next = this.queue[0];
      if (next === undefined || this.exclusiveRunning) return;
      if (next.exclusive ? this.running > 0 : this.running >= this.parallelism) return;
      this.queue.shift();
      this.running++;
      this.exclusiveRunning = next.exclusive;
      next.start();
    }
  }
}
