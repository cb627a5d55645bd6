/**
 * One Key Vault secret value held in memory for a short TTL: Key Vault throttles per vault, and a
 * queue worker verifying every message must not read the vault per message. Concurrent callers
 * of a cold or expired entry share one read (single flight, cleared in `finally`).
 *
 * When a re-read after the TTL fails transiently (the vault throttles for minutes, or is down),
 * the held value keeps being served for up to `maxStaleMs`: a throttled vault must not send
 * every valid message to the poison queue. A rotated key is still picked up by
 * `refreshIfOlderThan`, which never falls back.
 */
import { inspect, type InspectOptions } from 'node:util';
import { inspectSummary } from '../auth/safe-inspect.js';
import { isTransient } from '../clients/errors.js';
import type { SecretVault } from '../clients/vault.js';
import type { Clock } from './ports.js';

export interface SecretValue {
  value: string;
  fetchedAt: number;
}

/** How long a held value may outlive its TTL while the vault cannot be read. */
export const defaultMaxStaleMs = 60 * 60_000;

export class CachedSecret {
  private current: SecretValue | undefined;
  private pending: Promise<SecretValue> | undefined;

  constructor(
    private readonly vault: SecretVault,
    readonly secretName: string,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxStaleMs: number = defaultMaxStaleMs,
  ) {}

  /** What `context.log(signingKey)` and JSON.stringify show: which secret and how old, never its value. */
  toJSON(): Record<string, unknown> {
    return { secretName: this.secretName, held: this.current !== undefined, fetchedAt: this.current?.fetchedAt, ttlMs: this.ttlMs };
  }

  [inspect.custom](_depth: number, options: InspectOptions): string {
    return inspectSummary('CachedSecret', this.toJSON(), options);
  }

  async get(): Promise<SecretValue> {
    const current = this.current;
    if (current && this.clock.now() - current.fetchedAt < this.ttlMs) return current;
    try {
      return await this.fetch();
    } catch (error) {
      if (current && isTransient(error) && this.clock.now() - current.fetchedAt < this.maxStaleMs) return current;
      throw error;
    }
  }

  /**
   * Reads the vault again if the held value is at least `minAgeMs` old (a rotated key shows up at
   * once instead of after the TTL); returns undefined when the held value is too recent to doubt.
   */
  async refreshIfOlderThan(minAgeMs: number): Promise<SecretValue | undefined> {
    const current = this.current;
    if (current && this.clock.now() - current.fetchedAt < minAgeMs) return undefined;
    return this.fetch();
  }

  private fetch(): Promise<SecretValue> {
    this.pending ??= (async () => {
      try {
        const value = await this.vault.getSecretValue(this.secretName);
        this.current = { value, fetchedAt: this.clock.now() };
        return this.current;
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }
}
