/**
 * The reliability matrix's vocabulary: a section owns the services its rows share (emulators,
 * Azurite, PostgreSQL) and a list of rows; a row injects one fault or input, runs the product
 * against it and returns what happened plus the rules it checked. The same sections run under
 * node:test in `npm test` (matrix.test.ts) and as a printed table in `npm run test:reliability`.
 */

export type CredentialKind = 'managed-identity' | 'certificate';

/** One rule a row checked, e.g. "no request within 5 s of a 5xx without Retry-After". */
export interface Check {
  rule: string;
  ok: boolean;
  /** What was measured, short enough for a table cell ("gap 5.0 s", "2 stored, 1 poisoned"). */
  detail?: string;
}

export interface RowOutcome {
  /** What was injected, in a few words ("503 ×3, no Retry-After"). */
  injected: string;
  /** What the product did: invocation outcome and error code ("failed: managed_identity_failed_response"). */
  outcome: string;
  /** Requests seen by the fakes, with spacing ("identity 3, gaps 5.0 s / 10.0 s"). */
  requests: string;
  checks: Check[];
}

export interface MatrixRow<C> {
  name: string;
  credential?: CredentialKind;
  run(context: C): Promise<RowOutcome>;
}

export interface MatrixSection<C = unknown> {
  /** 'identity', 'key-vault', 'postgres', 'azurite', 'bad-input', … */
  group: string;
  start(): Promise<C>;
  stop(context: C): Promise<void>;
  rows: readonly MatrixRow<C>[];
}

export interface RowResult extends RowOutcome {
  group: string;
  name: string;
  credential?: CredentialKind;
  passed: boolean;
  /** Set when the row itself threw instead of returning an outcome. */
  crash?: string;
}

/** Lets a section's row list stay typed against its own context while the registry holds many kinds. */
export function section<C>(definition: MatrixSection<C>): MatrixSection<unknown> {
  return definition;
}

export function check(rule: string, ok: boolean, detail?: string): Check {
  return detail === undefined ? { rule, ok } : { rule, ok, detail };
}
