/**
 * One Key Vault secret value held in memory for a short TTL: Key Vault throttles per vault, and a
 * queue worker verifying every message must not read the vault per message. Concurrent callers
 * of a cold or expired entry share one read (single flight, cleared in `finally`).
 */
import type { SecretVault } from '../clients/vault.js';
import type { Clock } from './ports.js';

export interface SecretValue {
  value: string;
  fetchedAt: number;
}

export class CachedSecret {
  private current: SecretValue | undefined;
  private pending: Promise<SecretValue> | undefined;

  constructor(
    private readonly vault: SecretVault,
    readonly secretName: string,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async get(): Promise<SecretValue> {
    const current = this.current;
    if (current && this.clock.now() - current.fetchedAt < this.ttlMs) return current;
    return this.fetch();
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
