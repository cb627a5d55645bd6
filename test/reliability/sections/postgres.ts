/**
 * PostgreSQL faults against the queue worker: the real server stopped before the first delivery,
 * crashed while a batch is in flight, and refusing the token the app still holds. The section's
 * server acknowledges commits durably, as Azure does, so a crash loses nothing it confirmed.
 */
import { createTokenProvider } from '../../../src/auth/create-provider.js';
import { credentialSettingsFromEnvironment } from '../../../src/auth/credential-settings.js';
import { postgresScope } from '../../../src/clients/postgres-options.js';
import { startAzuriteQueue, type Azurite } from '../../../src/sandbox/azurite.js';
import { queueServiceClient } from '../../../src/sandbox/host/queue-host.js';
import type { QueueServiceClient } from '@azure/storage-queue';
import { captureResources, type ResourceBaseline } from '../process-hygiene.js';
import { check, section, type MatrixRow } from '../matrix.js';
import { queueOutcome, queueRequests, runQueueRow } from '../support/queue-rows.js';
import { signingKey, signingKeyName } from '../support/queue-worker.js';
import { appRole, startServiceStack, type ServiceStack } from '../support/service-stack.js';

interface PostgresContext {
  /** Live handles before the section started: all of its own must be closed at stop. */
  resources: ResourceBaseline;
  services: ServiceStack;
  azurite: Azurite;
  queues: QueueServiceClient;
}

/** Token requests the identity emulator has answered for PostgreSQL. */
const pgTokenRequests = (context: PostgresContext): number => context.services.stack.identity.tokenRequests('mi').filter((r) => (r.query.resource ?? '').startsWith('https://ossrdbms-aad')).length;

const rows: MatrixRow<PostgresContext>[] = [
  {
    name: 'down at start',
    async run(context) {
      const { server } = context.services.postgres;
      await server.crash();
      const result = await runQueueRow(context.services, context.queues, {
        name: 'pg-down',
        count: 10,
        whileMessagesWait: async () => {
          if (!(await reachable(context))) await server.restart();
        },
      });
      const firstTry = result.deliveries.filter((d) => d.dequeueCount === 1);
      return {
        injected: 'server stopped before the first delivery, back after one visibility timeout',
        outcome: queueOutcome(result),
        requests: queueRequests(result),
        checks: [...result.checks, check('every first delivery fails as sql_unavailable (transient)', firstTry.every((d) => d.outcome === 'failed' && (d.error as { code?: string }).code === 'sql_unavailable'), result.failures)],
      };
    },
  },
  {
    name: 'killed mid-batch, restarted',
    async run(context) {
      const { server } = context.services.postgres;
      let crashed = false;
      let completed = 0;
      let crash: () => void = () => undefined;
      const afterCrash = new Promise<void>((resolve) => (crash = resolve));
      const result = await runQueueRow(context.services, context.queues, {
        name: 'pg-crash',
        count: 40,
        // Right after the 6th event is stored, while the rest of the batch of 16 is mid-insert or
        // waiting: deliveries after the 8th wait for the crash, so some always meet a dead server.
        beforeEach: async (delivery) => {
          if (delivery > 8 && delivery <= 16) await afterCrash;
        },
        afterEach: async () => {
          if (++completed === 6 && !crashed) {
            crashed = true;
            await server.crash();
            crash();
          }
        },
        whileMessagesWait: async () => {
          if (!(await reachable(context))) await server.restart();
        },
      });
      return {
        injected: 'postgres SIGQUIT (immediate shutdown) during batch 1 of 40 messages, same port/data dir restart',
        outcome: queueOutcome(result),
        requests: queueRequests(result),
        checks: [...result.checks, check('the crash was felt and retried', result.released.length > 0 && crashed, result.failures)],
      };
    },
  },
  {
    name: 'sign-in refused, token stale',
    async run(context) {
      const { services } = context;
      const { identity } = services.stack;
      // The app's pool signs in with the token its provider holds (T1).
      const warmUp = await runQueueRow(services, context.queues, { name: 'pg-token-warm', count: 1 });
      // The identity host renews its token (T2) for another caller, and the server now accepts only T2.
      identity.configureServerCache({ renewBeforeSeconds: 2 * 3600 });
      const other = createTokenProvider({ credential: credentialSettingsFromEnvironment(services.stack.identityEnv) });
      const renewed = (await other.getToken(postgresScope)).token;
      other.close();
      identity.configureServerCache({ renewBeforeSeconds: 0 });
      await services.postgres.setPassword(appRole, renewed);
      const requestsBefore = pgTokenRequests(context);
      const result = await runQueueRow(services, context.queues, { name: 'pg-token', count: 5 });
      const fetched = pgTokenRequests(context) - requestsBefore;
      const poisoned = result.deliveries.filter((d) => d.outcome === 'poisoned').length;
      return {
        injected: 'role password changed to a renewed token; the app still holds the old one',
        outcome: queueOutcome(result),
        requests: queueRequests(result, [`identity ${fetched} (pg scope)`]),
        checks: [
          ...warmUp.checks.filter((c) => !c.ok),
          ...result.checks,
          check('stored at first delivery with a fresh token, none poisoned', poisoned === 0 && result.released.length === 0, result.failures || undefined),
          check('one token request for the refused token', fetched === 1, `${fetched} requests`),
        ],
      };
    },
  },
];

/** Whether the server answers a sign-in (the admin pool reconnects on its own). */
async function reachable(context: PostgresContext): Promise<boolean> {
  try {
    await context.services.postgres.admin.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

export const postgresSection = section<PostgresContext>({
  group: 'postgres',
  async start() {
    const resources = captureResources();
    const [services, azurite] = await Promise.all([startServiceStack({ durableCommits: true }), startAzuriteQueue()]);
    services.stack.vault.setSecret(signingKeyName, signingKey);
    return { resources, services, azurite, queues: queueServiceClient(azurite.connectionString) };
  },
  async stop(context) {
    await Promise.all([context.services.stop(), context.azurite.stop()]);
    await context.resources.assertClosed('the postgres section');
  },
  rows,
});
