/**
 * `npm run local`: the product doing its job on an embedded sandbox, no Azure needed.
 * Starts the sandbox (each part on 127.0.0.1, OS-chosen ports), seeds it, runs the app in its own
 * process through the same handlers and composition root as Azure (see app-host.ts), checks what
 * happened against what the seed implies, prints a summary, stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { QueueServiceClient } from '@azure/storage-queue';
import { migratePostgres } from '../clients/migrate.js';
import { startAzurite, type Azurite } from '../sandbox/azurite.js';
import { createTestCa, type TestCa } from '../sandbox/ca.js';
import { killOnExit } from '../sandbox/cleanup.js';
import { startIdentityEmulator, type IdentityEmulator } from '../sandbox/identity/index.js';
import { startIngestionServer, type IngestionServer } from '../sandbox/ingestion/index.js';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../sandbox/keyvault/index.js';
import { createAppRole, createDatabase } from '../sandbox/postgres-database.js';
import { startPostgresServer, type PostgresServer } from '../sandbox/postgres.js';
import { seedPlan, type SeedPlan } from '../sandbox/seed.js';
import { settingDefaults } from '../settings/defaults.js';
import { REPORT_PREFIX, type AppHostReport } from './report.js';
import { faultNamed, localFaults, type LocalFault } from './faults.js';
import { parseLocalArgs, usage } from './args.js';
import { mergedSettings, readLocalSettings, realParts, type RealParts, type Settings } from './settings-source.js';
import { renderSummary, type LocalSummary } from './summary.js';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const appHost = fileURLToPath(new URL('./app-host.js', import.meta.url));

type Stop = { name: string; stop: () => Promise<void> | void };

class LocalRun {
  private readonly stops: Stop[] = [];
  private child: ChildProcess | undefined;
  private stopped = false;

  constructor(private readonly progress: (line: string) => void) {}

  started(name: string, detail: string, stop: () => Promise<void> | void): void {
    this.stops.push({ name, stop });
    this.progress(`  ✓ ${name.padEnd(22)} ${detail}`);
  }

  isStopping(): boolean {
    return this.stopped;
  }

  /** Stops every part, in reverse order of start; safe to call twice. */
  async stopAll(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.child && this.child.exitCode === null) this.child.kill('SIGTERM');
    for (const { stop } of this.stops.reverse()) {
      try {
        await stop();
      } catch {
        /* keep stopping the rest */
      }
    }
  }

  runApp(env: NodeJS.ProcessEnv, onLine: (line: string) => void): Promise<{ code: number | null; report?: AppHostReport; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [appHost], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      this.child = child;
      const forget = killOnExit(child);
      let report: AppHostReport | undefined;
      let stderr = '';
      let buffered = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith(REPORT_PREFIX)) report = JSON.parse(line.slice(REPORT_PREFIX.length)) as AppHostReport;
          else if (line.trim()) onLine(line);
        }
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.once('error', reject);
      child.once('close', (code) => {
        forget();
        resolve({ code, report, stderr });
      });
    });
  }
}

async function tokenFor(identity: IdentityEmulator, resource: string): Promise<string> {
  const url = new URL(identity.managedIdentityEndpoint);
  url.searchParams.set('api-version', '2019-08-01');
  url.searchParams.set('resource', resource);
  const response = await fetch(url, { headers: { 'x-identity-header': identity.identityHeader } });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`the sandbox identity endpoint gave no token (${response.status})`);
  return body.access_token;
}

async function seedDatabase(server: PostgresServer, appRole: string, appToken: string): Promise<void> {
  const pool = await createDatabase(server, 'inventory', 1);
  try {
    // The deployer's part: schema by migration, an app role whose password is the app's token.
    await migratePostgres(pool);
    await createAppRole(pool, appRole, appToken);
  } finally {
    await pool.end();
  }
}

async function countRows(server: PostgresServer): Promise<{ inventory: number; events: number }> {
  const client = new pg.Client({ host: server.host, port: server.port, user: server.superuser, password: server.superuserPassword, database: 'inventory' });
  await client.connect();
  try {
    const inventory = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM secret_inventory')).rows[0]?.n ?? 0);
    const events = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM ingested_events')).rows[0]?.n ?? 0);
    return { inventory, events };
  } finally {
    await client.end();
  }
}

async function poisonBodies(connectionString: string, queueName: string): Promise<string[]> {
  const poison = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(`${queueName}-poison`);
  if (!(await poison.exists())) return [];
  const bodies: string[] = [];
  // Peek at most 32 at a time: receive with a short visibility to walk the whole queue without deleting.
  for (;;) {
    const { receivedMessageItems } = await poison.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 30 });
    if (receivedMessageItems.length === 0) break;
    bodies.push(...receivedMessageItems.map((m) => Buffer.from(m.messageText, 'base64').toString('utf8')));
  }
  return bodies;
}

/** The run's CA, plus the user's own extra CAs (a corporate proxy, a private service) when they set some. */
function trustBundle(ca: TestCa, userExtraCa: string | undefined): string {
  if (!userExtraCa) return ca.caCertPath;
  const bundle = join(dirname(ca.caCertPath), 'trust-bundle.pem');
  writeFileSync(bundle, `${readFileSync(userExtraCa, 'utf8').trim()}\n${ca.caCertPem.trim()}\n`);
  return bundle;
}

function localSettingsFor(env: Settings): string {
  const values = Object.fromEntries(Object.entries(env).filter(([name]) => !['NODE_EXTRA_CA_CERTS', 'PATH'].includes(name)));
  return JSON.stringify({ IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: 'node', ...values } }, null, 2);
}

export async function runLocal(argv: string[]): Promise<number> {
  const args = parseLocalArgs(argv, localFaults.map((f) => f.name));
  if (args.help) {
    process.stdout.write(usage(localFaults));
    return 0;
  }
  if (args.error) {
    process.stderr.write(`${args.error}\n\n${usage(localFaults)}`);
    return 2;
  }
  const fault: LocalFault | undefined = args.fault === undefined ? undefined : faultNamed(args.fault);
  const started = Date.now();
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);
  const run = new LocalRun(progress);
  // `on`, not `once`: while this handler is registered the sandbox's last-resort cleanup defers to it.
  const interrupted = new Promise<number>((resolve) => {
    let stopping = false;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (stopping) return;
        stopping = true;
        progress(`\n${signal}: stopping everything the run started…`);
        void run.stopAll().then(() => {
          progress('stopped.');
          resolve(signal === 'SIGINT' ? 130 : 143);
        });
      });
    }
  });

  const work = (async (): Promise<number> => {
    const userSettings = mergedSettings(process.env, readLocalSettings(projectRoot));
    const real: RealParts = realParts(userSettings);
    if (real.identity && !real.database) throw new Error('The sandbox PostgreSQL accepts only tokens the sandbox identity issued: with a real identity (IDENTITY_ENDPOINT or AZURE_CLIENT_CERTIFICATE_PATH), set POSTGRES_HOST to a real server too.');
    progress(`Starting the sandbox${fault ? ` with fault '${fault.name}'` : ''}:`);
    const ca: TestCa = createTestCa();
    run.started('run CA', 'made for this run (trusted by the app through NODE_EXTRA_CA_CERTS)', () => ca.cleanup());
    let identity: IdentityEmulator | undefined;
    if (!real.identity) {
      identity = await startIdentityEmulator({ ca });
      run.started('identity (sandbox)', `${identity.managedIdentityEndpoint} (managed identity) · ${identity.authorityHost} (Entra)`, () => identity?.stop());
    }
    let vault: KeyVaultEmulator | undefined;
    if (!real.vault) {
      const issuedBy = identity;
      vault = await startKeyVaultEmulator({ ca, validateToken: (token) => (issuedBy ? issuedBy.wasIssued(token) : token.length > 0) });
      run.started('Key Vault (sandbox)', vault.vaultUrl, () => vault?.stop());
    }
    let ingestion: IngestionServer | undefined;
    if (!real.telemetry) {
      ingestion = await startIngestionServer({ tls: { cert: ca.serverCertPem, key: ca.serverKeyPem } });
      run.started('App Insights (sandbox)', ingestion.url, () => ingestion?.stop());
    }
    let azurite: Azurite | undefined;
    if (!real.storage) {
      azurite = await startAzurite();
      run.started('Azurite', `${azurite.blobEndpoint} · ${azurite.queueEndpoint} (in memory)`, () => azurite?.stop());
    }
    let postgres: PostgresServer | undefined;
    if (!real.database) {
      postgres = await startPostgresServer();
      run.started('PostgreSQL', `127.0.0.1:${postgres.port} (data in a temporary folder)`, () => postgres?.stop());
    }

    const queueName = userSettings['INGEST_QUEUE_NAME'] ?? settingDefaults.ingestQueueName;
    const signingKeyName = userSettings['INGEST_SIGNING_KEY_SECRET_NAME'] ?? settingDefaults.signingKeySecretName;
    const plan: SeedPlan = seedPlan({ now: Date.now(), expiryWindowDays: Number(userSettings['INVENTORY_EXPIRY_WINDOW_DAYS'] ?? settingDefaults.expiryWindowDays), signingKeyName });
    const appEnv: Settings = { ...userSettings };
    delete appEnv['DAEMON_CREDENTIAL'];
    if (identity) Object.assign(appEnv, { IDENTITY_ENDPOINT: identity.managedIdentityEndpoint, IDENTITY_HEADER: identity.identityHeader });
    if (vault) {
      appEnv['KEY_VAULT_URL'] = vault.vaultUrl;
      // A vault on 127.0.0.1 can never match *.vault.azure.net (the documented setting for such vaults).
      appEnv['KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION'] = 'true';
      vault.setSecret(plan.signingKey.name, plan.signingKey.value, { contentType: 'hmac-sha256-key', tags: { purpose: 'queue-signing' } });
      for (const secret of plan.secrets) vault.setSecret(secret.name, secret.value, { expiresOn: secret.expiresOn, tags: secret.tags, enabled: secret.enabled });
      progress(`  ✓ seeded the vault         ${plan.secrets.length} secrets + the signing key`);
    }
    if (ingestion) appEnv['APPLICATIONINSIGHTS_CONNECTION_STRING'] = ingestion.connectionString;
    if (azurite) appEnv['AzureWebJobsStorage'] = azurite.connectionString;
    if (postgres && identity) {
      const appRole = 'inventory_app';
      await seedDatabase(postgres, appRole, await tokenFor(identity, 'https://ossrdbms-aad.database.windows.net'));
      Object.assign(appEnv, { SQL_ENGINE: 'postgres', POSTGRES_HOST: postgres.host, POSTGRES_PORT: String(postgres.port), POSTGRES_DATABASE: 'inventory', POSTGRES_USER: appRole, POSTGRES_SSL: 'false' });
      progress('  ✓ migrated the database     schema applied; app role signs in with its Entra token');
    }
    const storage = appEnv['AzureWebJobsStorage'] ?? '';
    const queues = QueueServiceClient.fromConnectionString(storage);
    await Promise.all([queues.getQueueClient(queueName).createIfNotExists(), queues.getQueueClient(`${queueName}-poison`).createIfNotExists()]);
    for (const message of plan.messages) await queues.getQueueClient(queueName).sendMessage(Buffer.from(message.text, 'utf8').toString('base64'));
    progress(`  ✓ enqueued                  ${plan.messages.length} messages (${plan.messages.filter((m) => m.kind !== 'good').length} deliberately bad or replayed)`);

    if (args.keep) {
      process.stdout.write(
        `\nThe sandbox keeps running (Ctrl-C stops it). For 'func start', save this as local.settings.json and start with NODE_EXTRA_CA_CERTS=${ca.caCertPath}:\n\n${localSettingsFor(appEnv)}\n`,
      );
      return await new Promise<number>(() => undefined);
    }

    const endFault = fault?.apply({ identity, vault, postgres }) ?? (() => undefined);
    progress(`Running the app (inventorySweep once, then ingestEvents until the queue is empty)…`);
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...appEnv, NODE_EXTRA_CA_CERTS: trustBundle(ca, userSettings['NODE_EXTRA_CA_CERTS']), TELEMETRY_DISABLE_OFFLINE_STORAGE: 'true' };
    const app = await run.runApp(childEnv, (line) => args.verbose && progress(`    ${line}`));
    endFault();
    if (!app.report) throw new Error(`the app process ended (code ${app.code}) without a report: ${app.stderr.trim().slice(-800)}`);

    const rows = postgres ? await countRows(postgres) : { inventory: Number.NaN, events: Number.NaN };
    const poisoned = azurite ? await poisonBodies(storage, queueName) : [];
    const summary: LocalSummary = {
      fault: fault?.name,
      real,
      wallMs: Date.now() - started,
      plan: plan.expected,
      report: app.report,
      rows,
      poisoned,
      sentBad: plan.messages.filter((m) => m.kind !== 'good' && m.kind !== 'replay').map((m) => m.text),
      identityRequests: identity?.tokenRequests('mi') ?? [],
      vaultRequests: vault?.requests.length ?? 0,
      envelopes: ingestion?.envelopes ?? [],
    };
    const rendered = renderSummary(summary);
    if (args.json) process.stdout.write(`${JSON.stringify(rendered.json, null, 2)}\n`);
    else process.stdout.write(rendered.text);
    return rendered.ok ? 0 : 1;
  })();

  let interruptedCode: number | undefined;
  void interrupted.then((code) => (interruptedCode = code));
  try {
    return await Promise.race([work, interrupted]);
  } catch (error) {
    // Parts stopped under a running step make it fail: after Ctrl-C that is expected, not an error.
    if (interruptedCode !== undefined || run.isStopping()) return await interrupted;
    progress(`✗ ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await run.stopAll();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runLocal(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}
