/** What the callers of a scenario saw, in a few numbers. */
import type { TargetData } from '../protocol.js';
import { median } from '../stats.js';
import type { CallRecord } from './caller-load.js';

export function summariseCalls(records: readonly CallRecord[], launched: number, recoveredAtMs: number | undefined): TargetData {
  const ok = records.filter((record) => record.ok);
  const waits = ok.map((record) => record.endedMs - record.startedMs);
  const codes = new Map<string, number>();
  for (const record of records) if (!record.ok) codes.set(record.error ?? 'unknown', (codes.get(record.error ?? 'unknown') ?? 0) + 1);
  const afterRecovery = recoveredAtMs === undefined ? [] : ok.filter((record) => record.endedMs >= recoveredAtMs).map((record) => record.endedMs);
  return {
    calls: launched,
    errors: records.length - ok.length,
    unfinished: launched - records.length,
    errorCodes: [...codes].map(([code, n]) => `${code}×${n}`),
    waitP50Ms: waits.length === 0 ? null : median(waits),
    waitMaxMs: waits.length === 0 ? null : Math.max(...waits),
    firstTokenAfterRecoveryMs: recoveredAtMs === undefined || afterRecovery.length === 0 ? null : Math.min(...afterRecovery) - recoveredAtMs,
  };
}
