/** What the soak's app process and the soak runner say to each other over the IPC channel. */

/** Active handles and requests by type (process.getActiveResourcesInfo()), counted. */
export type ResourceCounts = Record<string, number>;

export interface ChildProgress {
  type: 'progress';
  heapUsedBytes: number;
  sweeps: { ok: number; failed: number };
  deliveries: { succeeded: number; failed: number; poisoned: number };
}

export interface ChildReport {
  type: 'report';
  /** Heap used after a full GC, once warm (start) and after the last message (end). */
  heap: { startBytes: number; endBytes: number };
  sweeps: { ok: number; failed: number; lastError?: string | undefined; slowestMs: number };
  deliveries: { succeeded: number; failed: number; poisoned: number };
  /** Why deliveries failed (and were retried by the host), most frequent first. */
  failureReasons: { reason: string; count: number }[];
  /** Resources of the bare process before the app loaded, and what was left after the app shut down. */
  resources: { baseline: ResourceCounts; afterShutdown: ResourceCounts; leftover: ResourceCounts; settledMs: number };
}

export type ChildMessage = { type: 'ready' } | { type: 'warm' } | ChildProgress | ChildReport | { type: 'failed'; error: string };

export type ParentMessage = { type: 'finish' };

export function countResources(names: readonly string[]): ResourceCounts {
  const counts: ResourceCounts = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/** What `after` holds beyond `baseline`, by type. */
export function leftoverResources(baseline: ResourceCounts, after: ResourceCounts): ResourceCounts {
  const left: ResourceCounts = {};
  for (const [name, count] of Object.entries(after)) {
    const extra = count - (baseline[name] ?? 0);
    if (extra > 0) left[name] = extra;
  }
  return left;
}
