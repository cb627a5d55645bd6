/** What every client entry point shares: the failure type and the ports the adapters implement. Loads no SDK. */
export { DependencyError, isDependencyError, type Dependency, type DependencyErrorCode } from '../clients/errors.js';
export type { IngestedEvent, SecretInventoryRow, Store } from '../clients/store.js';
export type { SecretSummary, SecretVault } from '../clients/vault.js';
