/**
 * This clock against the identity platform's, from the HTTP `Date` header of its answers. Entra
 * checks a client assertion's time range against its own clock (AADSTS700024) and resources
 * check a token's `nbf`, so a clock minutes off fails in ways that look like a bad certificate.
 * `Date` has whole-second resolution: a synchronised clock reads 0-1 s ahead plus the latency.
 */
import type { Check } from './report.js';

/** Beyond this, warn: Entra's own tolerance for assertion times is about five minutes. */
export const clockSkewLimitMs = 2 * 60_000;

export interface DateObservation {
  /** `scheme://host[:port]` that answered. */
  origin: string;
  /** The `Date` header as sent. */
  date: string;
  /** This clock when the answer arrived, ms since the epoch. */
  receivedAt: number;
}

export interface ClockOffset {
  origin: string;
  /** This clock minus the server's: positive when this clock is ahead. */
  offsetMs: number;
}

/** The observation furthest from this clock, ignoring unparseable dates. */
export function largestOffset(observations: readonly DateObservation[]): ClockOffset | undefined {
  let largest: ClockOffset | undefined;
  for (const observation of observations) {
    const serverTime = Date.parse(observation.date);
    if (Number.isNaN(serverTime)) continue;
    const offsetMs = observation.receivedAt - serverTime;
    if (!largest || Math.abs(offsetMs) > Math.abs(largest.offsetMs)) largest = { origin: observation.origin, offsetMs };
  }
  return largest;
}

/** `3 min 20 s ahead of` / `45 s behind`. */
export function clockOffsetText(offsetMs: number): string {
  const seconds = Math.round(Math.abs(offsetMs) / 1000);
  const minutes = Math.floor(seconds / 60);
  const amount = minutes === 0 ? `${seconds} s` : `${minutes} min ${seconds % 60} s`;
  return `${amount} ${offsetMs >= 0 ? 'ahead of' : 'behind'}`;
}

/** The clock check, when some answer carried a Date header. */
export function clockCheck(observations: readonly DateObservation[]): Check | undefined {
  const largest = largestOffset(observations);
  if (!largest) return undefined;
  const facts = { offsetMs: largest.offsetMs, comparedWith: largest.origin };
  if (Math.abs(largest.offsetMs) <= clockSkewLimitMs) {
    return { id: 'clock', group: 'endpoint', status: 'pass', title: 'Clock', finding: `within ${clockSkewLimitMs / 60_000} min of ${largest.origin} (HTTP Date header)`, facts };
  }
  return {
    id: 'clock',
    group: 'endpoint',
    status: 'warn',
    title: 'Clock',
    finding: `this clock is ${clockOffsetText(largest.offsetMs)} ${largest.origin} (HTTP Date header)`,
    facts,
    remedy: {
      id: 'clock-skew',
      text: 'Set this machine\'s clock right and keep it synchronised (Linux: timedatectl set-ntp true; Windows: w32tm /resync): Entra rejects client assertions outside their time range (AADSTS700024) and resources reject tokens that are not yet valid.',
    },
  };
}
