/**
 * Telemetry whose SDK starts after the first token, not before it. applicationinsights 3.x
 * brings the OpenTelemetry SDK (some 1,700 modules, a second or more of synchronous loading on a
 * small instance); loading it at start-up put all of that between process start and the first
 * token. Calls made before it is up are kept, in order, with the invocation that was ambient when
 * they were made, and replayed into the real adapter when it is: nothing the first token raised is
 * lost, and each item keeps its operation id. (Events, exceptions and metrics are stamped when
 * replayed, at most a moment later than raised; the SDK's log path takes no timestamp.)
 */
import type { InvocationInfo, TokenEvent } from '../auth/events.js';
import { currentInvocation as ambientInvocation } from '../invocation.js';
import { noopTelemetry } from './noop-telemetry.js';
import type { Telemetry } from './telemetry.js';

/** Start anyway this long after creation, for a process that never asks for a token. */
export const DEFAULT_START_AFTER_MS = 10_000;
/** Bounds the memory held while waiting; calls past it are dropped, as an exporter would under load. */
export const MAX_DEFERRED_CALLS = 1_000;

export interface DeferredTelemetryOptions {
  /** Builds the real adapter; it is handed the invocation to report for each replayed call. */
  create(currentInvocation: () => InvocationInfo | undefined): Telemetry;
  startAfterMs?: number;
  currentInvocation?: () => InvocationInfo | undefined;
}

/** The end of an acquisition (success or failure): the first token has been handed out or refused. */
const endsAcquisition = (event: TokenEvent): boolean => event.type === 'acquired' || event.type === 'failed';

export function createDeferredTelemetry(options: DeferredTelemetryOptions): Telemetry {
  const ambient = options.currentInvocation ?? ambientInvocation;
  let pinned: { invocation: InvocationInfo | undefined } | undefined;
  let real: Telemetry | undefined;
  let queue: { invocation: InvocationInfo | undefined; call: (telemetry: Telemetry) => void }[] = [];
  let scheduled = false;
  // Start anyway for a process that never asks for a token; `start` runs only once it fires.
  const backstop = setTimeout(() => start(), options.startAfterMs ?? DEFAULT_START_AFTER_MS);
  backstop.unref();

  const build = (): Telemetry => {
    try {
      return options.create(() => (pinned ? pinned.invocation : ambient()));
    } catch {
      // Set up off the caller's path, a failing SDK must not throw into nowhere (and end the process).
      return noopTelemetry;
    }
  };

  const start = (): Telemetry => {
    if (real) return real;
    clearTimeout(backstop);
    real = build();
    const waiting = queue;
    queue = [];
    for (const { invocation, call } of waiting) {
      pinned = { invocation };
      try {
        call(real);
      } catch {
        // The adapter never throws; if it somehow did, one lost item must not lose the rest.
      } finally {
        pinned = undefined;
      }
    }
    return real;
  };

  // After the callers' continuations, so the SDK's load never sits between a caller and its token.
  const startSoon = (): void => {
    if (scheduled || real) return;
    scheduled = true;
    setImmediate(start);
  };

  const defer = (call: (telemetry: Telemetry) => void): void => {
    if (real) {
      call(real);
      return;
    }
    if (queue.length < MAX_DEFERRED_CALLS) queue.push({ invocation: ambient(), call });
  };

  return {
    onTokenEvent(event) {
      defer((telemetry) => telemetry.onTokenEvent(event));
      if (endsAcquisition(event)) startSoon();
    },
    trackEvent: (name, properties, invocation) => defer((telemetry) => telemetry.trackEvent(name, properties, invocation)),
    trackException: (error, properties, invocation) => defer((telemetry) => telemetry.trackException(error, properties, invocation)),
    trackMetric: (name, value, properties, invocation) => defer((telemetry) => telemetry.trackMetric(name, value, properties, invocation)),
    // Observing costs nothing until an export reads it, so it waits for the SDK like any other call.
    observeTokenCache(provider) {
      let stop: (() => void) | undefined;
      let stopped = false;
      defer((telemetry) => {
        if (!stopped) stop = telemetry.observeTokenCache(provider);
      });
      return () => {
        stopped = true;
        stop?.();
      };
    },
    // Flushing is when the items must leave: the SDK starts now if it has not yet.
    flush: () => start().flush(),
  };
}
