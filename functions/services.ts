/**
 * The composition root of the two functions: settings, the shared token provider, telemetry and
 * the Key Vault and SQL adapters, built once per warm instance on first use. The adapters' SDKs
 * (Key Vault, pg or mssql/tedious, which brings @azure/identity and MSAL) are most of the app's
 * modules, so they are imported then, not when the host loads the app. Tests and the
 * embedded local run call `configureServices` before the first invocation to trust the local
 * emulators; production configures nothing.
 */
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import type { ConnectionOptions } from 'node:tls';
import { systemClock, type Clock } from '../src/auth/clock.js';
import type { TokenProvider } from '../src/auth/types.js';
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
let services: Promise<AppServices> | undefined;

export function configureServices(next: ServiceOverrides): void {
  if (services) throw new Error('configureServices must run before the first invocation builds the services');
  overrides = next;
}

async function createStore(settings: AppSettings, provider: TokenProvider): Promise<Store> {
  const { sql } = settings;
  if (sql.engine === 'postgres') {
    const { createPostgresStore } = await import('../src/clients/postgres-store.js');
    return createPostgresStore({ settings: sql, provider, tls: overrides.postgresTls });
  }
  const { createAzureSqlStore } = await import('../src/clients/azure-sql-store.js');
  return createAzureSqlStore({ settings: sql, provider });
}

/** The services, built by the first caller; every concurrent first invocation shares that build. */
export function getServices(): Promise<AppServices> {
  services ??= buildServices().catch((error: unknown) => {
    services = undefined; // a failed build (say, a module that failed to load) is retried next time
    throw error;
  });
  return services;
}

async function buildServices(): Promise<AppServices> {
  const settings = getAppSettings();
  const provider = overrides.provider ?? getTokenProvider();
  const clock = overrides.clock ?? systemClock;
  const [{ createKeyVault }, store] = await Promise.all([import('../src/clients/key-vault.js'), createStore(settings, provider)]);
  const vault = createKeyVault({
    vaultUrl: settings.keyVaultUrl,
    credential: provider.credential,
    clock,
    disableChallengeResourceVerification: settings.keyVaultDisableChallengeResourceVerification,
    clientOptions: overrides.keyVaultClientOptions,
  });
  return {
    settings,
    provider,
    telemetry: overrides.telemetry ?? getTelemetry(),
    clock,
    vault,
    store,
    signingKey: new CachedSecret(vault, settings.ingest.signingKeySecretName, clock, settings.keyVaultSecretCacheTtlMs),
  };
}

/** Closes the SQL pool (tests, the embedded run; the Functions host just ends the process). */
export async function closeServices(): Promise<void> {
  const current = services;
  services = undefined;
  const built = await current?.catch(() => undefined);
  await built?.store.close();
}
