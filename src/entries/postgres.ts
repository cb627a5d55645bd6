/** `resilient-daemon-functions/clients/postgres`: the PostgreSQL store. Loads `pg`, nothing of Azure SQL or Key Vault. */
export { createPostgresStore } from '../clients/postgres-store.js';
export { postgresScope, type PostgresConnectionSettings, type PostgresStoreOptions } from '../clients/postgres-options.js';
export * from './client-common.js';
