/**
 * Time for the storm and outage scenarios. Ours runs on virtual time (its `clock` option): the
 * emulator's clock follows the child's (synced over the control channel before every request),
 * and virtual time only moves once no identity request is in flight, so each answer is handled
 * at the virtual instant it belongs to. Stock has no clock option: it runs in real time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../../src/auth/clock.js';
import { createNodeHttpTransport, type HttpTransport } from '../../../src/auth/http-transport.js';
import { VirtualClock, settle } from '../../support/scheduled-clock.js';
import { control } from './kit.js';

export interface ScenarioTime {
  readonly virtual: boolean;
  now(): number;
  /** Waits until `at` on this time, letting due timers and I/O run. */
  until(at: number): Promise<void>;
  /** What to send the runner with a mark or fault so the emulator agrees on the instant. */
  sync(): { clock?: number };
}

export class RealTime implements ScenarioTime {
  readonly virtual = false;
  now = (): number => Date.now();
  async until(at: number): Promise<void> {
    const waitMs = at - Date.now();
    if (waitMs > 0) await sleep(waitMs);
  }
  sync(): { clock?: number } {
    return {};
  }
}

export class VirtualTime implements ScenarioTime {
  readonly virtual = true;
  readonly clock: Clock;
  private readonly virtualClock = new VirtualClock();
  private inFlight = 0;
  private readonly transport = createNodeHttpTransport();

  constructor() {
    this.clock = this.virtualClock;
    this.virtualClock.afterTimer = () => this.idle();
  }

  now = (): number => this.virtualClock.now();

  sync(): { clock?: number } {
    return { clock: this.now() };
  }

  /** The provider's HTTP port: counts requests in flight and syncs the emulator's clock before each. */
  readonly httpTransport: HttpTransport = async (request) => {
    this.inFlight++;
    try {
      await control({ clock: this.now() });
      return await this.transport(request);
    } finally {
      this.inFlight--;
    }
  };

  async until(at: number): Promise<void> {
    await this.idle();
    const ms = at - this.now();
    if (ms > 0) await this.virtualClock.advance(ms);
    await this.idle();
  }

  /** Until no identity request is in flight and what its answer started has run. */
  private async idle(): Promise<void> {
    await settle();
    while (this.inFlight > 0) await sleep(1);
    await settle();
  }
}
