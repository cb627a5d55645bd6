/** Every default of the functions' app settings, in one place, each with its unit and why. */
export const settingDefaults = {
  /** 02:00 UTC nightly: outside business hours, and well under Key Vault's list throttling. */
  inventorySweepSchedule: '0 0 2 * * *',
  /** Parallel Key Vault + SQL calls per sweep; Key Vault allows 4000 secret GETs per 10 s per vault. */
  sweepConcurrency: 8,
  /** Report secrets expiring within 30 days: one rotation cycle of notice. */
  expiryWindowDays: 30,
  ingestQueueName: 'ingest-events',
  signingKeySecretName: 'ingest-signing-key',
  /** A Storage queue message is at most 64 KiB; events are far smaller. */
  maxMessageBytes: 16_384,
  /** Key Vault throttles per vault: cache secret values for 5 minutes (rotation shows up within that). */
  secretCacheTtlSeconds: 300,
  sqlPoolMax: 10,
  postgresPort: 5432,
  azureSqlPort: 1433,
} as const;
