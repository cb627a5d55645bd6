/**
 * Whether a caller without a valid token waits for a closed gate, and for how long. Pure, so the
 * rule is tested as a table:
 * - only a caller that gave a budget waits (an AbortSignal cannot tell its deadline, so a signal
 *   alone never means "wait"; it only ends a wait early);
 * - only for a pause that lifts by itself (a retryable failure: throttling, an outage), and only
 *   if the gate opens within the budget;
 * - if the request at the opening fails and the gate closes again, a caller whose budget still
 *   covers the next opening waits for that one too (a storm can outlast one Retry-After); the
 *   others get the new failure.
 */

/** The caller's budget in ms: its own `maxWaitMs` when given, else the provider's default. Never negative. */
export function waitBudgetMs(maxWaitMs: number | undefined, providerDefaultMs: number): number {
  const budget = maxWaitMs ?? providerDefaultMs;
  return budget > 0 ? budget : 0; // NaN and negatives mean "do not wait"
}

export interface GateWaitInput {
  now: number;
  /** When the gate opens. */
  opensAt: number;
  /** The last moment the caller is willing to wait until (its start plus its budget). */
  waitUntil: number;
  /** Whether the failure that closed the gate can go away by itself. */
  retryable: boolean;
}

/** How long to sleep before trying again, or undefined to fail fast now. */
export function gateWaitMs({ now, opensAt, waitUntil, retryable }: GateWaitInput): number | undefined {
  if (!retryable || opensAt > waitUntil) return undefined;
  return Math.max(0, opensAt - now);
}
