/** Azure SQL failures as DependencyErrors: what a retry can fix, what it cannot, and bad input. */
import { azureSqlScope } from './azure-sql-options.js';
import { DependencyError, findTokenError, tokenUnavailable } from './errors.js';

/** Azure SQL errors that clear up on retry (Azure SQL "transient fault" list, plus deadlock victim). */
const transientErrorNumbers = new Set([1205, 4060, 4221, 40143, 40197, 40501, 40540, 40613, 49918, 49919, 49920]);

/** Errors about the values themselves: conversion, out-of-range date, overflow, truncation. */
const badInputErrorNumbers = new Set([241, 242, 245, 8114, 8115, 8152, 2628, 517]);

export function classifyAzureSqlError(error: unknown): DependencyError {
  if (findTokenError(error)) return tokenUnavailable(error, azureSqlScope);
  const { number, code } = error as { number?: unknown; code?: unknown };
  // tedious validates parameters before sending (EPARAM): the value cannot be sent at all.
  if (code === 'EPARAM' || (typeof number === 'number' && badInputErrorNumbers.has(number))) {
    return new DependencyError('sql_bad_input', 'sql', `Azure SQL refused the data (${typeof number === 'number' ? number : 'EPARAM'})`, { retryable: false, cause: error });
  }
  if (typeof number === 'number' && !transientErrorNumbers.has(number)) {
    return new DependencyError('sql_rejected', 'sql', `Azure SQL error ${number}`, { retryable: false, cause: error });
  }
  const reason = typeof number === 'number' ? `error ${number}` : typeof code === 'string' ? code : 'unknown error';
  return new DependencyError('sql_unavailable', 'sql', `Azure SQL unavailable: ${reason}`, { retryable: true, cause: error });
}
