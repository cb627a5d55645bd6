/**
 * What every services section starts once and its rows share: the identity and Key Vault
 * emulators with a real token provider, a real PostgreSQL migrated and signed in with the issued
 * token, and fresh product adapters per row (a cold `SecretClient`, a new pool) so that no row
 * inherits another's gate or connections.
 */
import { inspect } from 'node:util';
import { createKeyVault, type KeyVaultOptions } from '../../../src/clients/key-vault.js';
import { migratePostgres } from '../../../src/clients/migrate.js';
import { postgresScope, type PostgresConnectionSettings } from '../../../src/clients/postgres-options.js';
import { createPostgresStore } from '../../../src/clients/postgres-store.js';
import type { Store } from '../../../src/clients/store.js';
import type { SecretVault } from '../../../src/clients/vault.js';
import type { Clock, JobLog } from '../../../src/jobs/ports.js';
import { startFunctionsStack, type FunctionsStack } from '../../support/functions-stack.js';
import { startPostgres, type LocalPostgres } from '../../support/postgres.js';
import type { WireLog } from './wire-log.js';

export const appRole = 'func_reliability';

export interface ServiceStack {
  stack: FunctionsStack;
  postgres: LocalPostgres;
  sql: PostgresConnectionSettings;
  newStore(): Store;
  newVault(clock: Clock, wire: WireLog, options?: Pick<KeyVaultOptions, 'pageSize' | 'requestTimeoutMs'>): SecretVault;
  /** Rows per key of a table, to tell "stored once" from "stored twice". */
  rowCounts(table: 'secret_inventory' | 'ingested_events'): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

/** `durableCommits`: for sections that crash the server (see PostgresServerOptions). */
export async function startServiceStack(options: { durableCommits?: boolean } = {}): Promise<ServiceStack> {
  const [stack, postgres] = await Promise.all([startFunctionsStack(), startPostgres('inventory', options)]);
  await migratePostgres(postgres.admin);
  await postgres.createAppRole(appRole);
  await postgres.setPassword(appRole, (await stack.provider.getToken(postgresScope)).token);
  const sql: PostgresConnectionSettings = { host: postgres.host, port: postgres.port, database: postgres.database, user: appRole, ssl: false, poolMax: 4 };
  return {
    stack,
    postgres,
    sql,
    newStore: () => createPostgresStore({ settings: sql, provider: stack.provider }),
    newVault: (clock, wire, options = {}) =>
      createKeyVault({
        vaultUrl: stack.vault.vaultUrl,
        credential: stack.provider.credential,
        clock,
        disableChallengeResourceVerification: true,
        clientOptions: { additionalPolicies: [...(stack.keyVaultTls.additionalPolicies ?? []), wire.policy()] },
        ...options,
      }),
    async rowCounts(table) {
      const key = table === 'secret_inventory' ? 'name' : 'id';
      const { rows } = await postgres.admin.query<{ key: string; n: string }>(`SELECT ${key} AS key, count(*) AS n FROM ${table} GROUP BY ${key}`);
      return new Map(rows.map((row) => [row.key, Number(row.n)]));
    },
    async stop() {
      await Promise.all([stack.stop(), postgres.stop()]);
    },
  };
}

/** A JobLog that keeps the lines, for outcomes and leak checks. */
export function memoryLog(): JobLog & { lines: string[] } {
  const lines: string[] = [];
  // The details object goes in too, as a log sink would print it: the leak rule scans these lines.
  const push =
    (level: string) =>
    (message: string, ...details: unknown[]) =>
      void lines.push([`${level}: ${message}`, ...details.map((detail) => inspect(detail, { depth: 6 }))].join(' '));
  return { lines, info: push('info'), warn: push('warn'), error: push('error') };
}
