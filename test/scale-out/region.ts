/**
 * The regional identity service every instance of the fleet talks to, in memory: it records each
 * token request (when, from which instance, for what, how answered) and can be scripted to throttle
 * everyone (429 with Retry-After) for a window of time, as in a regional throttling event.
 */
export interface RegionalRequest {
  at: number;
  instance: number;
  resource: string;
  status: number;
  /** Whether it reached the regional service (Entra): a 429 from it, or a token minted; not one answered from a host's server-side cache. */
  upstream: boolean;
}

export interface ThrottleWindow {
  from: number;
  until: number;
  retryAfterSeconds: number;
}

export class Region {
  readonly requests: RegionalRequest[] = [];
  private throttles: ThrottleWindow[] = [];

  constructor(private readonly now: () => number) {}

  throttle(window: ThrottleWindow): void {
    this.throttles.push(window);
  }

  /** The Retry-After (seconds) to answer now, if the region is throttling. */
  throttledFor(): number | undefined {
    const now = this.now();
    return this.throttles.find((w) => now >= w.from && now < w.until)?.retryAfterSeconds;
  }

  record(instance: number, resource: string, status: number, upstream: boolean): void {
    this.requests.push({ at: this.now(), instance, resource, status, upstream });
  }
}
