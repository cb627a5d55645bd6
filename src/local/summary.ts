/**
 * The end of a local run: what happened, checked against what the seed implies, as a short table
 * a person reads at a glance (or JSON for scripts). Never a token or a secret value: only counts,
 * names and reasons.
 */
import type { RecordedRequest } from '../sandbox/identity/index.js';
import type { Envelope } from '../sandbox/ingestion/index.js';
import type { SeedPlan } from '../sandbox/seed.js';
import type { AppHostReport } from './report.js';
import type { RealParts } from './settings-source.js';

export interface LocalSummary {
  fault?: string | undefined;
  real: RealParts;
  wallMs: number;
  plan: SeedPlan['expected'];
  report: AppHostReport;
  rows: { inventory: number; events: number };
  poisoned: string[];
  /** Bodies of the bad messages sent: each must be in the poison queue, unchanged. */
  sentBad: string[];
  identityRequests: readonly RecordedRequest[];
  vaultRequests: number;
  envelopes: readonly Envelope[];
}

interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

function sumMetric(envelopes: readonly Envelope[], name: string): number {
  let total = 0;
  for (const envelope of envelopes) {
    const metrics = envelope.data?.baseData?.['metrics'];
    if (!Array.isArray(metrics)) continue;
    for (const metric of metrics as { name?: string; value?: number; count?: number }[]) {
      if (metric.name === name) total += metric.value ?? 0;
    }
  }
  return total;
}

function gapsSeconds(requests: readonly RecordedRequest[]): string {
  const times = requests.map((r) => r.time);
  const gaps = times.slice(1).map((t, i) => ((t - (times[i] as number)) / 1000).toFixed(1));
  return gaps.length ? gaps.join(', ') : '—';
}

export function renderSummary(summary: LocalSummary): { ok: boolean; text: string; json: Record<string, unknown> } {
  const { report, plan, rows } = summary;
  const deliveriesByOutcome = (outcome: string): number => report.deliveries.filter((d) => d.outcome === outcome).length;
  const poisonReasons = report.logLines.filter((l) => /rejected|poison/i.test(l.text)).map((l) => l.text);
  const missingBad = summary.sentBad.filter((body) => !summary.poisoned.includes(body));
  const itemsByType = new Map<string, number>();
  for (const envelope of summary.envelopes) {
    const type = envelope.data?.baseType ?? envelope.name;
    itemsByType.set(type, (itemsByType.get(type) ?? 0) + 1);
  }
  const cacheHits = sumMetric(summary.envelopes, 'TokenCacheHit');
  const checks: Check[] = [
    { what: 'inventory sweep', ok: report.sweep.ok, detail: report.sweep.ok ? `completed in ${(report.sweep.durationMs / 1000).toFixed(1)} s` : `failed: ${report.sweep.error ?? ''}` },
    { what: 'secrets inventoried', ok: rows.inventory === plan.secrets || Number.isNaN(rows.inventory), detail: `${rows.inventory} rows of ${plan.secrets} secrets (${plan.nearExpiry} near or past expiry, ${plan.withoutExpiry} without expiry)` },
    { what: 'events stored', ok: rows.events === plan.storedEvents || Number.isNaN(rows.events), detail: `${rows.events} of ${plan.storedEvents} good events, each once (a replayed one was not stored twice)` },
    { what: 'messages poisoned', ok: missingBad.length === 0 && summary.poisoned.length === plan.poisoned, detail: `${summary.poisoned.length} (bad signature, not JSON, unknown type), bodies intact${missingBad.length ? `; missing: ${missingBad.length}` : ''}` },
    { what: 'nothing lost', ok: deliveriesByOutcome('succeeded') + summary.poisoned.length >= plan.storedEvents + plan.poisoned, detail: `${deliveriesByOutcome('succeeded')} handled, ${deliveriesByOutcome('failed') === 0 ? 'none retried' : `${deliveriesByOutcome('failed')} retried by the host after ${[...new Set(report.retryWaitsSeconds)].join('/')} s`}` },
  ];
  const ok = checks.every((c) => c.ok);
  const retryReasons = [...new Set(report.deliveries.filter((d) => d.outcome === 'failed' && d.error).map((d) => (d.error ?? '').slice(0, 160)))].slice(0, 5);
  const parts = Object.entries(summary.real)
    .map(([part, real]) => `${part} ${real ? 'REAL' : 'sandbox'}`)
    .join(' · ');
  const lines = [
    '',
    `Local run${summary.fault ? ` with fault '${summary.fault}'` : ''}: ${parts}`,
    '',
    ...checks.map((c) => `  ${c.ok ? '✓' : '✗'} ${c.what.padEnd(20)} ${c.detail}`),
    '',
    `  identity requests      ${summary.identityRequests.length} (${summary.identityRequests.map((r) => r.status ?? r.fault ?? '?').join(' ')}); gaps ${gapsSeconds(summary.identityRequests)} s (all scopes)`,
    `  tokens from cache      ${cacheHits || 'see TokenCacheHit'} (vs ${summary.identityRequests.filter((r) => r.status === 200).length} fetched)`,
    `  Key Vault requests     ${summary.vaultRequests}`,
    `  telemetry items        ${[...itemsByType].map(([type, n]) => `${type.replace(/Data$/, '')} ${n}`).join(', ') || 'none'}`,
    ...retryReasons.map((reason, i) => `${i === 0 ? '  retried because        ' : '                         '}${reason}`),
    `  wall time              ${(summary.wallMs / 1000).toFixed(1)} s`,
    '',
    ok ? 'Everything expected happened.' : 'Something expected did not happen (see ✗ above; --verbose shows the app log).',
    '',
  ];
  const json = {
    ok,
    fault: summary.fault ?? null,
    real: summary.real,
    checks,
    identity: { requests: summary.identityRequests.length, statuses: summary.identityRequests.map((r) => r.status ?? r.fault ?? null), spacingMs: summary.identityRequests.map((r) => r.time) },
    cacheHits,
    keyVaultRequests: summary.vaultRequests,
    telemetryItems: Object.fromEntries(itemsByType),
    poisonReasons: poisonReasons.slice(0, 10),
    retryReasons,
    wallMs: summary.wallMs,
  };
  return { ok, text: lines.join('\n'), json };
}
