/**
 * `resilient-daemon-functions/clients`: every client at once, so it loads the Key Vault SDK,
 * mssql/tedious and pg together. An app that uses one database imports that client's own entry
 * point instead (`…/clients/postgres`, `…/clients/azure-sql`, `…/clients/key-vault`).
 */
export * from './key-vault.js';
export * from './postgres.js';
export * from './azure-sql.js';
