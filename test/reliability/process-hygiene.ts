/**
 * The matrix's process rules, checked around the whole run and around each services section: no
 * unhandled rejection, and no timer, socket or server left behind once everything has stopped
 * (compared with what was open before, so the test runner's and the terminal's own handles do not
 * count).
 */
// Importing `node:process` as a module reads every property of `process`, stdin included, which
// opens a stdin handle. Loaded here, before any baseline, rather than mid-run by a lazily imported
// SDK (@azure/identity), where the handle would look like one the run left open.
import process from 'node:process';
import { check, type Check } from './matrix.js';

/** How many event-loop turns a closing socket or server gets before it counts as left open. */
const closeTurns = 200;
/**
 * Then how long, polled, for a socket whose far end is another process (PostgreSQL, Azurite): it
 * closes on that process's FIN, which no number of turns of this loop brings sooner.
 */
const closeGraceMs = 3_000;

type ResourceCounts = Map<string, number>;

function countResources(): ResourceCounts {
  const counts: ResourceCounts = new Map();
  for (const name of process.getActiveResourcesInfo()) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

function excess(baseline: ResourceCounts): string[] {
  return [...countResources()]
    .map(([name, count]) => [name, count - (baseline.get(name) ?? 0)] as const)
    .filter(([, extra]) => extra > 0)
    .map(([name, extra]) => `${name} ×${extra}`);
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface ResourceBaseline {
  /** Waits a bounded while for handles to close, then checks none is left. */
  check(): Promise<Check>;
  /** The same, as a throw naming what is still open (a section's teardown). */
  assertClosed(what: string): Promise<void>;
}

export function captureResources({ graceMs = closeGraceMs }: { graceMs?: number } = {}): ResourceBaseline {
  // stdout and stderr get their handles on first use (a report written after the run): open them
  // now, so they are part of the baseline. uncork() on an uncorked stream does nothing else.
  process.stdout.uncork();
  process.stderr.uncork();
  const baseline = countResources();
  const settle = async (): Promise<string[]> => {
    let left = excess(baseline);
    for (let turn = 0; turn < closeTurns && left.length > 0; turn += 1) {
      await nextTurn();
      left = excess(baseline);
    }
    const deadline = Date.now() + graceMs;
    while (left.length > 0 && Date.now() < deadline) {
      await pause(20);
      left = excess(baseline);
    }
    return left;
  };
  return {
    async check() {
      const left = await settle();
      return check('no timer, socket or server left at shutdown', left.length === 0, left.length === 0 ? 'none' : left.join(', '));
    },
    async assertClosed(what) {
      const left = await settle();
      if (left.length > 0) throw new Error(`${what} left open after stop: ${left.join(', ')}`);
    },
  };
}

export interface RejectionRecorder {
  readonly reasons: readonly string[];
  /** Stops listening and returns the rule's verdict. */
  stop(): Check;
}

/** Records every unhandled rejection from now on (the rule is zero), instead of crashing the run. */
export function recordUnhandledRejections(): RejectionRecorder {
  const reasons: string[] = [];
  const listener = (reason: unknown): void => {
    reasons.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  };
  process.on('unhandledRejection', listener);
  return {
    reasons,
    stop() {
      process.off('unhandledRejection', listener);
      return check('no unhandled rejection', reasons.length === 0, reasons.length === 0 ? 'none' : reasons.slice(0, 3).join('; '));
    },
  };
}
