/**
 * The SQL port of the jobs: one interface, two adapters (Azure SQL Database via mssql/tedious,
 * Azure Database for PostgreSQL via pg), each with its own idempotent SQL. Schema comes from the
 * migrations (src/clients/migrate.ts), never from an invocation.
 */

export interface SecretInventoryRow {
  name: string;
  version: string | null;
  enabled: boolean;
  createdOn: Date | null;
  updatedOn: Date | null;
  expiresOn: Date | null;
  notBefore: Date | null;
  contentType: string | null;
  tags: Record<string, string>;
}

export interface IngestedEvent {
  id: string;
  type: string;
  occurredAt: Date;
  payload: unknown;
}

export interface Store {
  /** Insert or update the row of one secret, keyed by name: running twice gives the same row. */
  upsertSecretInventory(row: SecretInventoryRow): Promise<void>;
  /** Insert an event once: `false` when an event with this id is already stored (a redelivery). */
  insertEvent(event: IngestedEvent): Promise<boolean>;
  close(): Promise<void>;
}
