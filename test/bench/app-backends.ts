/**
 * What the function app's targets need beyond the emulators, started only when such a target
 * runs: a real PostgreSQL (schema by migration, an app role whose password is the token the app
 * will be issued), Azurite's queue service, and the vault's secrets.
 */
import { randomBytes } from 'node:crypto';
import { postgresScope } from '../../src/clients/postgres-options.js';
import { migratePostgres } from '../../src/clients/migrate.js';
import { startAzuriteQueue, type Azurite } from '../../src/sandbox/azurite.js';
import { rawRequest } from '../support/http-request.js';
import { startPostgres, type LocalPostgres } from '../support/postgres.js';
import type { BenchSandbox } from './sandbox.js';

const appRole = 'bench_app_identity';
export const signingKeySecretName = 'ingest-signing-key';
export const ingestQueueName = 'bench-ingest';

export class AppBackends {
  private postgres: LocalPostgres | undefined;
  private postgresStarting: Promise<LocalPostgres> | undefined;
  private azurite: Azurite | undefined;
  private azuriteStarting: Promise<Azurite> | undefined;
  private seeded = 0;
  /** The queue messages' HMAC key, a vault secret like in Azure. */
  readonly signingKey = randomBytes(24).toString('hex');

  constructor(private readonly sandbox: BenchSandbox) {}

  /** Fills the vault with `count` secrets (idempotent per count) and the queue's signing key. */
  seedVault(count: number): void {
    if (this.seeded >= count) return;
    const now = Date.now();
    for (let i = this.seeded; i < count; i++) {
      const expiresOn = i % 10 === 0 ? new Date(now + 7 * 86_400_000) : i % 10 === 5 ? undefined : new Date(now + 365 * 86_400_000);
      this.sandbox.vault.setSecret(`app-secret-${String(i).padStart(5, '0')}`, `bench-value-${i}`, { expiresOn, contentType: 'text/plain', tags: { team: i % 2 ? 'a' : 'b' } });
    }
    if (this.seeded === 0) this.sandbox.vault.setSecret(signingKeySecretName, this.signingKey);
    this.seeded = count;
  }

  startPostgres(): Promise<LocalPostgres> {
    this.postgresStarting ??= (async () => {
      const postgres = await startPostgres();
      this.postgres = postgres;
      await migratePostgres(postgres.admin);
      await postgres.createAppRole(appRole);
      return postgres;
    })();
    return this.postgresStarting;
  }

  startAzurite(): Promise<Azurite> {
    this.azuriteStarting ??= startAzuriteQueue().then((azurite) => (this.azurite = azurite));
    return this.azuriteStarting;
  }

  /**
   * After the sandbox reset: the managed-identity host caches tokens server-side, so the token
   * fetched here is the one the app's provider will be issued; it becomes the role's password.
   */
  async prepareAppRole(): Promise<void> {
    const postgres = await this.startPostgres();
    const { identity } = this.sandbox;
    const resource = postgresScope.replace(/\/\.default$/, '');
    const url = `${identity.managedIdentityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent(resource)}`;
    const response = await rawRequest(url, { headers: { 'x-identity-header': identity.identityHeader } });
    if (response.status !== 200) throw new Error(`the identity emulator answered ${response.status} for the PostgreSQL token`);
    const { access_token: token } = JSON.parse(response.text) as { access_token: string };
    await postgres.setPassword(appRole, token);
  }

  /** App settings of the function app on these backends (PostgreSQL, Key Vault, queues). */
  appSettings(): Record<string, string> {
    const postgres = this.postgres;
    return {
      KEY_VAULT_URL: this.sandbox.vault.vaultUrl,
      // A vault on 127.0.0.1 can never match *.vault.azure.net.
      KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
      SQL_ENGINE: 'postgres',
      POSTGRES_HOST: postgres?.host ?? '127.0.0.1',
      POSTGRES_PORT: String(postgres?.port ?? 5432),
      POSTGRES_DATABASE: postgres?.database ?? 'inventory',
      POSTGRES_USER: appRole,
      POSTGRES_SSL: 'false',
      INGEST_QUEUE_NAME: ingestQueueName,
      INGEST_SIGNING_KEY_SECRET_NAME: signingKeySecretName,
      AzureWebJobsStorage: this.azurite?.connectionString ?? 'UseDevelopmentStorage=true',
    };
  }

  async stop(): Promise<void> {
    await Promise.all([this.postgres?.stop(), this.azurite?.stop()]);
  }
}
