/** PostgreSQL failures as DependencyErrors, by SQLSTATE: what a retry can fix, what it cannot, and bad input. */
import { DependencyError, findTokenError, tokenUnavailable } from './errors.js';
import { postgresScope } from './postgres-options.js';

/** SQLSTATE classes that mean "the database, not the statement": connection, resources, shutdown. */
const unavailableSqlStates = /^(08|53|57P|58)/;

export function classifyPostgresError(error: unknown): DependencyError {
  if (findTokenError(error)) return tokenUnavailable(error, postgresScope);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    // 28P01 (sign-in failed) is retryable: with token sign-in it usually means the token expired
    // between fetch and use, and the next connection gets a fresh one from the provider.
    const retryable = unavailableSqlStates.test(code) || code === '40001' || code === '40P01' || code === '28P01';
    // Class 22 (data exception): the values themselves cannot be stored.
    if (code.startsWith('22')) return new DependencyError('sql_bad_input', 'sql', `PostgreSQL refused the data (${code})`, { retryable: false, cause: error });
    return new DependencyError(retryable ? 'sql_unavailable' : 'sql_rejected', 'sql', `PostgreSQL error ${code}`, { retryable, cause: error });
  }
  const reason = typeof code === 'string' ? code : error instanceof Error ? error.message.slice(0, 120) : 'unknown error';
  return new DependencyError('sql_unavailable', 'sql', `PostgreSQL unreachable: ${reason}`, { retryable: true, cause: error });
}
