/**
 * The worker's Store and SecretVault ports in memory, for the in-process properties: volume
 * without a database. The same properties' sample through PostgreSQL runs in the bad-input section.
 */
import type { IngestedEvent, SecretInventoryRow, Store } from '../../../src/clients/store.js';
import type { SecretVault } from '../../../src/clients/vault.js';

export class MemoryEventStore implements Store {
  private readonly events = new Map<string, IngestedEvent>();

  upsertSecretInventory(_row: SecretInventoryRow): Promise<void> {
    return Promise.resolve();
  }

  insertEvent(event: IngestedEvent): Promise<boolean> {
    if (this.events.has(event.id)) return Promise.resolve(false);
    this.events.set(event.id, event);
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  get size(): number {
    return this.events.size;
  }

  get(id: string): IngestedEvent | undefined {
    return this.events.get(id);
  }

  clear(): void {
    this.events.clear();
  }

  /** A vault holding one signing key under any name. */
  vaultHolding(key: string): SecretVault {
    return {
      listSecrets: async function* () {},
      currentVersion: () => Promise.resolve(undefined),
      getSecretValue: () => Promise.resolve(key),
    };
  }
}
