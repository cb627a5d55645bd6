/**
 * "Every timer and socket closed at shutdown": a snapshot of the process's live handles before a
 * section starts, compared with what is left once it has stopped. Sockets close a moment after
 * `stop()` resolves (the far end's FIN), so the comparison polls briefly before it fails.
 */
const watched = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'ProcessWrap', 'PipeWrap', 'FSReqCallback'];

export type HandleCounts = Record<string, number>;

export function openHandles(): HandleCounts {
  const counts: HandleCounts = {};
  for (const kind of process.getActiveResourcesInfo()) if (watched.includes(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

function leftOver(baseline: HandleCounts): string[] {
  const now = openHandles();
  return Object.entries(now).flatMap(([kind, n]) => (n > (baseline[kind] ?? 0) ? [`${n - (baseline[kind] ?? 0)} ${kind}`] : []));
}

/** Throws, naming what is still open, unless the process is back to `baseline` within `timeoutMs`. */
export async function assertAllClosed(baseline: HandleCounts, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = leftOver(baseline);
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${what} left open after stop: ${left.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
