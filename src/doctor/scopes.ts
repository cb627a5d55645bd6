/**
 * The scopes to try: the ones the app itself asks for (Key Vault, and the SQL scope of the
 * configured SQL_ENGINE), unless `--scope` names others.
 */
import { settingProblem } from './configuration-checks.js';
import type { Check } from './report.js';

export const keyVaultScope = 'https://vault.azure.net/.default';

export const sqlScopes = {
  postgres: 'https://ossrdbms-aad.database.windows.net/.default',
  'azure-sql': 'https://database.windows.net/.default',
} as const;

export interface ScopeChoice {
  scopes: string[];
  /** SQL_ENGINE names no engine: the app would not start either. */
  problem?: Check | undefined;
}

/** SQL_ENGINE as the app reads it: blank is unset, unset is postgres. */
export function defaultScopes(sqlEngine: string | undefined): ScopeChoice {
  const engine = sqlEngine?.trim() || 'postgres';
  if (engine === 'postgres' || engine === 'azure-sql') return { scopes: [keyVaultScope, sqlScopes[engine]] };
  const message = `SQL_ENGINE must be "postgres" or "azure-sql", got "${engine}" (setting: SQL_ENGINE)`;
  return {
    scopes: [keyVaultScope],
    problem: settingProblem('SQL_ENGINE', message, 'Set SQL_ENGINE to "postgres" (Azure Database for PostgreSQL) or "azure-sql" (Azure SQL Database); the SQL token is checked for that engine\'s scope.'),
  };
}

/** `--scope` replaces the defaults; `--add-scope` adds to them. Order kept, duplicates dropped. */
export function chooseScopes(defaults: readonly string[], replace: readonly string[], add: readonly string[]): string[] {
  return [...new Set([...(replace.length > 0 ? replace : defaults), ...add])];
}
