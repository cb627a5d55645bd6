/**
 * The scripted behaviour of the token endpoints: a queue of one-shot faults per target, an
 * optional persistent fault (outages, storms) and the default token lifetime. Queued faults win
 * over the persistent one, so a test can script "two 503s, then the outage goes on".
 */
import type { Fault, IdentityTarget, LifetimeDefaults } from './types.js';

export class FaultScript {
  readonly #queues = new Map<IdentityTarget, Fault[]>();
  readonly #persistent = new Map<IdentityTarget, Fault>();
  readonly #initialLifetime: LifetimeDefaults;
  #lifetime: LifetimeDefaults;

  constructor(lifetimeSeconds: number) {
    this.#initialLifetime = { lifetimeSeconds };
    this.#lifetime = this.#initialLifetime;
  }

  enqueue(target: IdentityTarget, faults: readonly Fault[]): void {
    const queue = this.#queues.get(target) ?? [];
    queue.push(...faults);
    this.#queues.set(target, queue);
  }

  setPersistent(target: IdentityTarget, fault: Fault | undefined): void {
    if (fault === undefined) this.#persistent.delete(target);
    else this.#persistent.set(target, fault);
  }

  setLifetime(defaults: LifetimeDefaults): void {
    this.#lifetime = { ...defaults };
  }

  get lifetime(): LifetimeDefaults {
    return this.#lifetime;
  }

  /** The fault for the next token request, or undefined for a plain success. */
  next(target: IdentityTarget): Fault | undefined {
    return this.#queues.get(target)?.shift() ?? this.#persistent.get(target);
  }

  clear(): void {
    this.#queues.clear();
    this.#persistent.clear();
    this.#lifetime = this.#initialLifetime;
  }
}
