/**
 * Target: the `inventorySweep` function over every secret of the Key Vault emulator (which the
 * runner set to answer each call after a fixed latency), upserting into PostgreSQL at the
 * concurrency INVENTORY_SWEEP_CONCURRENCY. Before the run, one upsert and one vault call are
 * timed alone (the inputs of the limit); during the run, every vault call and upsert is timed.
 *
 *   node sweep.js
 */
import functions from '@azure/functions';
import type { Timer } from '@azure/functions';
import type { SecretInventoryRow } from '../../../src/clients/store.js';
import type { SecretSummary } from '../../../src/clients/vault.js';
import { median } from '../stats.js';
import { bootFunctionsApp, timeMethod } from './app-harness.js';
import { runTarget } from './kit.js';

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

function inventoryRow(secret: SecretSummary): SecretInventoryRow {
  const or = <T>(value: T | undefined): T | null => value ?? null;
  return {
    name: secret.name,
    version: or(secret.version),
    enabled: secret.enabled,
    createdOn: or(secret.createdOn),
    updatedOn: or(secret.updatedOn),
    expiresOn: or(secret.expiresOn),
    notBefore: or(secret.notBefore),
    contentType: or(secret.contentType),
    tags: secret.tags,
  };
}

async function timedMs(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

runTarget(async () => {
  const app = await bootFunctionsApp();
  const { vault, store, settings } = app.services;
  let name: string | undefined;
  for await (const secret of vault.listSecrets()) {
    name = secret.name;
    break;
  }
  const sample = name === undefined ? undefined : await vault.currentVersion(name);
  if (name === undefined || sample === undefined) throw new Error('the vault holds no secret');
  const upsertAlone: number[] = [];
  const vaultAlone: number[] = [];
  const row = inventoryRow({ ...sample, name });
  for (let i = 0; i < 30; i++) upsertAlone.push(await timedMs(() => store.upsertSecretInventory(row)));
  for (let i = 0; i < 10; i++) vaultAlone.push(await timedMs(() => vault.currentVersion(name)));

  const vaultCalls: number[] = [];
  const upserts: number[] = [];
  timeMethod(vault, 'currentVersion', vaultCalls);
  timeMethod(store, 'upsertSecretInventory', upserts);
  const context = new functions.InvocationContext({ invocationId: crypto.randomUUID(), functionName: 'inventorySweep', logHandler: () => undefined });
  const elapsedMs = await timedMs(() => Promise.resolve(app.fn('inventorySweep').handler(timer, context)));
  await app.close();
  return {
    concurrency: settings.inventorySweep.concurrency,
    items: upserts.length,
    elapsedMs,
    upsertAloneP50Ms: median(upsertAlone),
    vaultCallAloneP50Ms: median(vaultAlone),
    vaultCallP50Ms: median(vaultCalls),
    upsertP50Ms: median(upserts),
  };
});
