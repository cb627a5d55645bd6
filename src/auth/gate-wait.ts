/**
 * Whether a caller without a valid token waits for a closed gate, and for how long. Pure, so the
 * rule is tested as a table:
 * - only a caller that gave a budget waits (an AbortSignal cannot tell its deadline, so a signal
 *   alone never means "wait"; it only ends a wait early);
 * - only for a pause that lifts by itself (a retryable failure: throttling, an outage), and only
 *   if the gate opens within the budget;
 * - only for the gate as it was when the wait began: if it closed again meanwhile (a request failed
 *   while the caller slept), the caller gets that new failure instead of waiting on.
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
  /** The opening the caller has been waiting for, if it already waited (a clock may wake it a little early). */
  waitingFor?: number | undefined;
}

/** How long to sleep before trying again, or undefined to fail fast now. */
export function gateWaitMs({ now, opensAt, waitUntil, retryable, waitingFor }: GateWaitInput): number | undefined {
  if (!retryable || opensAt > waitUntil) return undefined;
  if (waitingFor !== undefined && opensAt !== waitingFor) return undefined;
  return Math.max(0, opensAt - now);
}
