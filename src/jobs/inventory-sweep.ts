/**
 * The timer batch job: list every secret of the vault (metadata only, never values), resolve each
 * one's current version and upsert its inventory row: at most `concurrency` Key Vault calls and at
 * most `concurrency` upserts at a time.
 * Idempotent (rows are a function of the vault's state). A failed item is reported and the rest
 * go on; a run in which every item failed, or the listing itself failed, fails the invocation.
 */
import pLimit from 'p-limit';
import { describeFailure } from '../clients/errors.js';
import type { SecretInventoryRow, Store } from '../clients/store.js';
import type { SecretSummary, SecretVault } from '../clients/vault.js';
import type { Clock, InvocationInfo, JobLog, Telemetry } from './ports.js';
import { affordableRetryDelayMs, sweepRetryPolicy, withRetries, type RetryPolicy } from './retry.js';

export const sweepEvents = {
  completed: 'InventorySweepCompleted',
  itemFailed: 'InventorySweepItemFailed',
  nearExpiry: 'SecretNearExpiry',
  noExpiry: 'SecretWithoutExpiry',
} as const;

export interface InventorySweepInput {
  vault: SecretVault;
  store: Store;
  telemetry: Telemetry;
  log: JobLog;
  clock: Clock;
  concurrency: number;
  expiryWindowMs: number;
  invocation?: InvocationInfo | undefined;
  retry?: RetryPolicy;
  /** Failures kept in the summary for the log; all are counted and each is reported as it happens. */
  maxFailuresListed?: number;
}

export interface InventorySweepSummary {
  listed: number;
  upserted: number;
  failed: number;
  nearExpiry: number;
  withoutExpiry: number;
  durationMs: number;
  listingFailed: boolean;
  failures: { name: string; errorCode: string }[];
}

export class InventorySweepFailed extends Error {
  override readonly name = 'InventorySweepFailed';
  constructor(readonly summary: InventorySweepSummary, cause?: unknown) {
    super(
      summary.listingFailed
        ? `Listing the vault's secrets failed after ${summary.listed} items`
        : `Every one of the ${summary.failed} inventory items failed`,
      cause === undefined ? undefined : { cause },
    );
  }
}

function row(secret: SecretSummary): SecretInventoryRow {
  return {
    name: secret.name,
    version: secret.version ?? null,
    enabled: secret.enabled,
    createdOn: secret.createdOn ?? null,
    updatedOn: secret.updatedOn ?? null,
    expiresOn: secret.expiresOn ?? null,
    notBefore: secret.notBefore ?? null,
    contentType: secret.contentType ?? null,
    tags: secret.tags,
  };
}

export async function runInventorySweep(input: InventorySweepInput): Promise<InventorySweepSummary> {
  const { vault, store, telemetry, log, clock, invocation } = input;
  const policy = input.retry ?? sweepRetryPolicy;
  const maxListed = input.maxFailuresListed ?? 20;
  const startedAt = clock.now();
  // Two pipelined stages, each bounded by `concurrency`: an item waiting for the database does not
  // hold a Key Vault slot, so the vault (the throttled, slower side) is kept busy.
  const vaultSlots = pLimit(input.concurrency);
  const storeSlots = pLimit(input.concurrency);
  const summary: InventorySweepSummary = { listed: 0, upserted: 0, failed: 0, nearExpiry: 0, withoutExpiry: 0, durationMs: 0, listingFailed: false, failures: [] };

  function reportExpiry(secret: SecretSummary): void {
    const expiresOn = secret.expiresOn;
    if (expiresOn === undefined) {
      summary.withoutExpiry++;
      telemetry.trackEvent(sweepEvents.noExpiry, { secretName: secret.name, version: secret.version, enabled: secret.enabled }, invocation);
      return;
    }
    const expiresInMs = expiresOn.getTime() - startedAt;
    if (expiresInMs <= input.expiryWindowMs) {
      summary.nearExpiry++;
      const expiresInDays = Math.floor(expiresInMs / 86_400_000);
      telemetry.trackEvent(sweepEvents.nearExpiry, { secretName: secret.name, version: secret.version, enabled: secret.enabled, expiresOn: expiresOn.toISOString(), expiresInDays, expired: expiresInMs <= 0 }, invocation);
    }
  }

  async function sweepOne(listed: SecretSummary): Promise<void> {
    try {
      const current = await vaultSlots(() => withRetries(() => vault.currentVersion(listed.name), clock, policy));
      // Deleted between the listing and now: nothing to record.
      if (current === undefined) return;
      const secret = { ...current, name: listed.name };
      await storeSlots(() => withRetries(() => store.upsertSecretInventory(row(secret)), clock, policy));
      summary.upserted++;
      reportExpiry(secret);
    } catch (error) {
      summary.failed++;
      const failure = describeFailure(error);
      if (summary.failures.length < maxListed) summary.failures.push({ name: listed.name, errorCode: String(failure.errorCode) });
      log.warn(`Inventory of secret "${listed.name}" failed; the sweep goes on`, failure);
      telemetry.trackException(error, { ...failure, secretName: listed.name, job: 'inventorySweep' }, invocation);
    }
  }

  // Bounded memory on big vaults: stop reading pages while this many items are in either stage.
  const maxQueued = input.concurrency * 4;
  const inFlight = new Set<Promise<void>>();
  const seen = new Set<string>();
  let listingError: unknown;

  for (let attempt = 1; ; attempt++) {
    try {
      for await (const secret of vault.listSecrets()) {
        // After a restarted listing, items handled earlier in this run are not done twice.
        if (seen.has(secret.name)) continue;
        seen.add(secret.name);
        summary.listed++;
        const task = sweepOne(secret).finally(() => inFlight.delete(task));
        inFlight.add(task);
        if (inFlight.size >= maxQueued) await Promise.race(inFlight);
      }
      break;
    } catch (error) {
      const delayMs = affordableRetryDelayMs(policy, attempt, error);
      if (delayMs === undefined) {
        listingError = error;
        break;
      }
      // Page links cannot be resumed through the SDK: list again, skipping names already seen.
      log.warn('Listing the vault failed; waiting and listing again', describeFailure(error));
      await clock.sleep(delayMs);
    }
  }
  await Promise.all(inFlight);

  summary.durationMs = clock.now() - startedAt;
  summary.listingFailed = listingError !== undefined;
  const { failures, ...counts } = summary;
  telemetry.trackEvent(sweepEvents.completed, { ...counts, concurrency: input.concurrency }, invocation);
  telemetry.trackMetric('InventorySweepDurationMs', summary.durationMs, undefined, invocation);
  const message = `Inventory sweep: ${summary.listed} listed, ${summary.upserted} upserted, ${summary.failed} failed, ${summary.nearExpiry} near expiry, ${summary.withoutExpiry} without expiry, in ${summary.durationMs} ms`;

  if (listingError !== undefined) {
    log.error(`${message}; listing failed`, { ...counts, ...describeFailure(listingError), failures });
    telemetry.trackException(listingError, { ...describeFailure(listingError), job: 'inventorySweep', stage: 'list' }, invocation);
    throw new InventorySweepFailed(summary, listingError);
  }
  if (summary.listed > 0 && summary.failed === summary.listed) {
    log.error(`${message}; every item failed`, { ...counts, failures });
    throw new InventorySweepFailed(summary);
  }
  if (summary.failed > 0) log.warn(message, { ...counts, failures });
  else log.info(message, counts);
  return summary;
}
