/**
 * The async context of background work: none. A Node timer runs its callback in the async context
 * of the code that created it, so a refresh timer set while an invocation acquired a token would
 * run "inside" that invocation long after it ended: our invocation tracking and OpenTelemetry's
 * active span (both AsyncLocalStorage) would charge its telemetry to it.
 *
 * This resource is created when the module is loaded, at start-up, outside any invocation, so
 * its scope holds no store of any AsyncLocalStorage; this holds on Node 22 (async_hooks) and on
 * Node 24 (AsyncContextFrame). Import it statically: loaded lazily from inside an invocation, it
 * would capture that invocation instead.
 */
import { AsyncResource } from 'node:async_hooks';

const startUpScope = new AsyncResource('ResilientTokenProvider.background', { requireManualDestroy: true });

/** Runs `task` in the empty async context of start-up, whatever context the caller is in. */
export function runInBackgroundContext<T>(task: () => T): T {
  return startUpScope.runInAsyncScope(task);
}
