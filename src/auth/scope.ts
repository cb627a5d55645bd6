import { TokenError } from './errors.js';

/**
 * Daemon apps have no incremental consent: the only meaningful scope is a resource's static
 * `/.default`. Anything else is a configuration mistake, caught before a request is sent.
 */
export function invalidScopeReason(scope: unknown): string | undefined {
  if (typeof scope !== 'string' || scope.trim() === '') return 'the scope is empty';
  if (!scope.endsWith('/.default')) return `'${scope}' does not end with '/.default'`;
  if (/\s/.test(scope)) return `'${scope}' contains whitespace (one scope per request)`;
  return undefined;
}

export function assertDefaultScope(scope: unknown): asserts scope is string {
  const reason = invalidScopeReason(scope);
  if (reason) {
    throw new TokenError('invalid_scope', `Invalid scope: ${reason}. Daemon apps request '<resource>/.default', e.g. 'https://vault.azure.net/.default'.`, {
      scope: typeof scope === 'string' ? scope : undefined,
      retryable: false,
    });
  }
}
