/** `resilient-daemon-functions/clients/key-vault`: the Key Vault adapter. Loads `@azure/keyvault-secrets`, no SQL driver. */
export { createKeyVault, keyVaultScope, type KeyVaultOptions } from '../clients/key-vault.js';
export * from './client-common.js';
