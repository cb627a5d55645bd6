/**
 * The composition root of the two functions: settings, the shared token provider, telemetry and
 * the Key Vault and SQL adapters, built once per warm instance on first use. Tests and the
 * embedded local run call `configureServices` before the first invocation to trust the local
 * emulators; production configures nothing.
 */
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import type { ConnectionOptions } from 'node:tls';
import { systemClock, type Clock } from '../src/auth/clock.js';
import type { TokenProvider } from '../src/auth/types.js';
import { createAzureSqlStore } from '../src/clients/azure-sql-store.js';
import { createKeyVault } from '../src/clients/key-vault.js';
import { createPostgresStore } from '../src/clients/postgres-store.js';
import type { Store } from '../src/clients/store.js';
import type { SecretVault } from '../src/clients/vault.js';
import { CachedSecret } from '../src/jobs/cached-secret.js';
import { getTokenProvider } from '../src/runtime.js';
import { getAppSettings, type AppSettings } from '../src/settings/app-settings.js';
import { getTelemetry } from '../src/telemetry/runtime-telemetry.js';
import type { Telemetry } from '../src/telemetry/telemetry.js';

export interface AppServices {
  settings: AppSettings;
  provider: TokenProvider;
  telemetry: Telemetry;
  clock: Clock;
  vault: SecretVault;
  store: Store;
  /** The queue messages' HMAC key, cached for `KEY_VAULT_SECRET_CACHE_TTL_SECONDS`. */
  signingKey: CachedSecret;
}

export interface ServiceOverrides {
  provider?: TokenProvider;
  telemetry?: Telemetry;
  clock?: Clock;
  /** Emulator only: CA trust. (Challenge verification follows KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION, always.) */
  keyVaultClientOptions?: SecretClientOptions;
  /** TLS options for PostgreSQL when POSTGRES_SSL is on (a private CA). */
  postgresTls?: ConnectionOptions;
}

let overrides: ServiceOverrides = {};
let services: AppServices | undefined;

export function configureServices(next: ServiceOverrides): void {
  if (services) throw new Error('configureServices must run before the first invocation builds the services');
  overrides = next;
}

function createStore(settings: AppSettings, provider: TokenProvider): Store {
  const { sql } = settings;
  return sql.engine === 'postgres'
    ? createPostgresStore({ settings: sql, provider, tls: overrides.postgresTls })
    : createAzureSqlStore({ settings: sql, provider });
}

export function getServices(): AppServices {
  if (services) return services;
  const settings = getAppSettings();
  const provider = overrides.provider ?? getTokenProvider();
  const clock = overrides.clock ?? systemClock;
  const vault = createKeyVault({
    vaultUrl: settings.keyVaultUrl,
    credential: provider.credential,
    clock,
    disableChallengeResourceVerification: settings.keyVaultDisableChallengeResourceVerification,
    clientOptions: overrides.keyVaultClientOptions,
  });
  services = {
    settings,
    provider,
    telemetry: overrides.telemetry ?? getTelemetry(),
    clock,
    vault,
    store: createStore(settings, provider),
    signingKey: new CachedSecret(vault, settings.ingest.signingKeySecretName, clock, settings.keyVaultSecretCacheTtlMs),
  };
  return services;
}

/** Closes the SQL pool (tests, the embedded run; the Functions host just ends the process). */
export async function closeServices(): Promise<void> {
  const current = services;
  services = undefined;
  await current?.store.close();
}
