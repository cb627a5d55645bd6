/** `resilient-daemon-functions/clients/azure-sql`: the Azure SQL store. Loads `mssql` and `tedious`, nothing of PostgreSQL or Key Vault. */
export { createAzureSqlStore } from '../clients/azure-sql-store.js';
export { azureSqlScope, type AzureSqlConnectionSettings, type AzureSqlStoreOptions } from '../clients/azure-sql-options.js';
export * from './client-common.js';
