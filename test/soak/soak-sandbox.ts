/**
 * The sandbox of the soak's real-time phase, as `npm run local` builds it: identity emulator,
 * Key Vault emulator (seeded), ingestion capture, Azurite and PostgreSQL (migrated, with the
 * app's role), each on 127.0.0.1 with an OS-chosen port; and the app settings that point at them.
 * Tokens are short-lived here so that the run refreshes many times; PostgreSQL accepts any token
 * the identity emulator issued for it, as Azure Database for PostgreSQL accepts any valid Entra
 * token: the app role's password follows the newest one (see followTokenPassword).
 */
import pg from 'pg';
import { QueueServiceClient } from '@azure/storage-queue';
import { migratePostgres } from '../../src/clients/migrate.js';
import { startAzurite, type Azurite } from '../../src/sandbox/azurite.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import { startIngestionServer, type IngestionServer } from '../../src/sandbox/ingestion/index.js';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../../src/sandbox/keyvault/index.js';
import { createAppRole, createDatabase } from '../../src/sandbox/postgres-database.js';
import { startPostgresServer, type PostgresServer } from '../../src/sandbox/postgres.js';
import { seedPlan } from '../../src/sandbox/seed.js';
import { settingDefaults } from '../../src/settings/defaults.js';

export const postgresResource = 'https://ossrdbms-aad.database.windows.net';
const appRole = 'inventory_app';

export interface SoakSandbox {
  ca: TestCa;
  identity: IdentityEmulator;
  vault: KeyVaultEmulator;
  postgres: PostgresServer;
  queues: QueueServiceClient;
  queueName: string;
  signingKey: string;
  appEnv: Record<string, string>;
  /** Superuser pool on the app's database: counts rows, follows the token password. */
  admin: pg.Pool;
  stop(): Promise<void>;
}

type Stop = () => Promise<void> | void;

export async function startSoakSandbox(options: { tokenLifetimeSeconds: number; progress: (line: string) => void }): Promise<SoakSandbox> {
  const stops: Stop[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
  };
  const started = (name: string, detail: string, stop: Stop): void => {
    stops.push(stop);
    options.progress(`  ✓ ${name.padEnd(14)} ${detail}`);
  };
  try {
    const ca = createTestCa();
    started('run CA', 'made for this run', () => ca.cleanup());
    const identity = await startIdentityEmulator({ ca, tokenLifetimeSeconds: options.tokenLifetimeSeconds });
    // A host that renews its cached token at half-life: new tokens keep arriving during the run.
    identity.configureServerCache({ renewBeforeSeconds: Math.floor(options.tokenLifetimeSeconds / 2) });
    started('identity', `${identity.managedIdentityEndpoint} (tokens live ${options.tokenLifetimeSeconds} s)`, () => identity.stop());
    const vault = await startKeyVaultEmulator({ ca, validateToken: (token) => identity.wasIssued(token) });
    started('Key Vault', vault.vaultUrl, () => vault.stop());
    const ingestion: IngestionServer = await startIngestionServer({ tls: { cert: ca.serverCertPem, key: ca.serverKeyPem } });
    started('App Insights', ingestion.url, () => ingestion.stop());
    const azurite: Azurite = await startAzurite();
    started('Azurite', azurite.queueEndpoint, () => azurite.stop());
    const postgres = await startPostgresServer();
    started('PostgreSQL', `127.0.0.1:${postgres.port}`, () => postgres.stop());

    const plan = seedPlan({ now: Date.now(), expiryWindowDays: settingDefaults.expiryWindowDays, signingKeyName: settingDefaults.signingKeySecretName });
    vault.setSecret(plan.signingKey.name, plan.signingKey.value, { contentType: 'hmac-sha256-key' });
    for (const secret of plan.secrets) vault.setSecret(secret.name, secret.value, { expiresOn: secret.expiresOn, tags: secret.tags, enabled: secret.enabled });

    const admin = await createDatabase(postgres, 'inventory', 2);
    stops.push(() => admin.end());
    await migratePostgres(admin);
    await createAppRole(admin, appRole);

    const queueName = settingDefaults.ingestQueueName;
    const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    await Promise.all([queues.getQueueClient(queueName).createIfNotExists(), queues.getQueueClient(`${queueName}-poison`).createIfNotExists()]);
    const appEnv: Record<string, string> = {
      IDENTITY_ENDPOINT: identity.managedIdentityEndpoint,
      IDENTITY_HEADER: identity.identityHeader,
      KEY_VAULT_URL: vault.vaultUrl,
      KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
      APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
      AzureWebJobsStorage: azurite.connectionString,
      SQL_ENGINE: 'postgres',
      POSTGRES_HOST: postgres.host,
      POSTGRES_PORT: String(postgres.port),
      POSTGRES_DATABASE: 'inventory',
      POSTGRES_USER: appRole,
      POSTGRES_SSL: 'false',
      NODE_EXTRA_CA_CERTS: ca.caCertPath,
      TELEMETRY_DISABLE_OFFLINE_STORAGE: 'true',
    };
    return { ca, identity, vault, postgres, queues, queueName, signingKey: plan.signingKey.value, appEnv, admin, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Keeps the app role's password equal to the newest token the emulator issued for PostgreSQL,
 * checking every `everyMs`. Returns a function that stops following.
 */
export function followTokenPassword(sandbox: SoakSandbox, everyMs = 100): () => void {
  let current: string | undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    const newest = sandbox.identity.issuedTokens.filter((t) => t.audience === postgresResource).at(-1)?.token;
    if (newest === undefined || newest === current) return;
    busy = true;
    sandbox.admin
      .query(`ALTER ROLE ${pg.escapeIdentifier(appRole)} PASSWORD ${pg.escapeLiteral(newest)}`)
      .then(() => (current = newest))
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, everyMs);
  return () => clearInterval(timer);
}

/** Fetches the token the app will get for PostgreSQL (the host caches it) and makes it the role's password before the app starts. */
export async function primeTokenPassword(sandbox: SoakSandbox): Promise<void> {
  const url = new URL(sandbox.identity.managedIdentityEndpoint);
  url.searchParams.set('api-version', '2019-08-01');
  url.searchParams.set('resource', postgresResource);
  const response = await fetch(url, { headers: { 'x-identity-header': sandbox.identity.identityHeader } });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`the sandbox identity endpoint gave no token (${response.status})`);
  await sandbox.admin.query(`ALTER ROLE ${pg.escapeIdentifier(appRole)} PASSWORD ${pg.escapeLiteral(body.access_token)}`);
}
