/** The Key Vault port the jobs use: secret metadata and, for the worker, one secret value. */

export interface SecretSummary {
  name: string;
  /** Absent in list results (Key Vault lists secrets without versions); set by `currentVersion`. */
  version: string | undefined;
  enabled: boolean;
  createdOn: Date | undefined;
  updatedOn: Date | undefined;
  expiresOn: Date | undefined;
  notBefore: Date | undefined;
  contentType: string | undefined;
  tags: Record<string, string>;
}

export interface SecretVault {
  /** Every secret of the vault, all pages. Values are never part of this. */
  listSecrets(): AsyncIterable<SecretSummary>;
  /** The current (most recently created) version's properties, or undefined if the secret is gone. */
  currentVersion(name: string): Promise<SecretSummary | undefined>;
  /** The current value. Callers must never log it. */
  getSecretValue(name: string): Promise<string>;
}
