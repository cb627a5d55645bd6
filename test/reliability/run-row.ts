/**
 * Runs one row and always returns a RowResult: a row that throws, or that does not finish within
 * its wall-time budget, becomes a failed row with `crash`, so one broken row never hides the rest.
 */
import { check, type MatrixRow, type RowOutcome, type RowResult } from './matrix.js';

/** A row that takes longer than this is stuck, not slow: every row runs on virtual time. */
export const rowBudgetMs = 60_000;

function crashed(message: string): RowOutcome {
  return { injected: '—', outcome: 'crashed', requests: '—', checks: [check('the row runs to its end', false, message)] };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

async function withinBudget<T>(work: Promise<T>, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${budgetMs / 1000} s of wall time`)), budgetMs);
  });
  try {
    return await Promise.race([work, overrun]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runRow<C>(group: string, row: MatrixRow<C>, context: C, budgetMs = rowBudgetMs): Promise<RowResult> {
  const identity = { group, name: row.name, ...(row.credential === undefined ? {} : { credential: row.credential }) };
  try {
    const outcome = await withinBudget(row.run(context), budgetMs);
    return { ...identity, ...outcome, passed: outcome.checks.length > 0 && outcome.checks.every((c) => c.ok) };
  } catch (error) {
    const crash = describeError(error);
    return { ...identity, ...crashed(crash), passed: false, crash };
  }
}

/** Every row of a section whose start failed, reported as crashed with the start error. */
export function startFailed<C>(group: string, rows: readonly MatrixRow<C>[], error: unknown): RowResult[] {
  const crash = `section start failed: ${describeError(error)}`;
  return rows.map((row) => ({
    group,
    name: row.name,
    ...(row.credential === undefined ? {} : { credential: row.credential }),
    ...crashed(crash),
    passed: false,
    crash,
  }));
}
