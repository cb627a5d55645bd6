/**
 * Whatever ends the process (a normal exit, an uncaught error, Ctrl-C, SIGTERM from a test
 * runner's timeout), every child process and temporary directory the sandbox started is stopped
 * and removed. Parts register a synchronous undo here when they start and unregister it when they
 * stop cleanly; only synchronous work is possible once the process is exiting.
 */
import { rmSync } from 'node:fs';

type Undo = () => void;

const pending = new Set<Undo>();
let installed = false;

function runAll(): void {
  for (const undo of [...pending].reverse()) {
    pending.delete(undo);
    try {
      undo();
    } catch {
      /* best effort: the process is going away */
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // Only when nobody else handles the signal: the local run has its own orderly shutdown.
      if (process.listenerCount(signal) > 1) return;
      runAll();
      // Die of the same signal, as the default handler would have.
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Registers `undo` to run if the process ends before the returned function is called. */
export function undoOnExit(undo: Undo): () => void {
  install();
  pending.add(undo);
  return () => pending.delete(undo);
}

/** A child process killed (SIGKILL) if the process ends while it runs. */
export function killOnExit(child: { pid?: number | undefined; exitCode: number | null; signalCode: NodeJS.Signals | null }): () => void {
  return undoOnExit(() => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  });
}

/** A directory removed if the process ends before it is removed. */
export function removeOnExit(dir: string): () => void {
  return undoOnExit(() => rmSync(dir, { recursive: true, force: true }));
}

/** How many undo steps are still registered (for tests of cleanup). */
export function pendingCleanups(): number {
  return pending.size;
}
