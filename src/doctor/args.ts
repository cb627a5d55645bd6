/** The doctor's command line: `--json`, `--scope`, `--add-scope`, `--help`. */
import { parseArgs } from 'node:util';
import { keyVaultScope, sqlScopes } from './scopes.js';

export interface DoctorArgs {
  json: boolean;
  help: boolean;
  scopes: string[];
  addScopes: string[];
}

export type ParsedArgs = { ok: true; args: DoctorArgs } | { ok: false; problem: string };

export function parseDoctorArgs(argv: readonly string[]): ParsedArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        scope: { type: 'string', multiple: true, default: [] },
        'add-scope': { type: 'string', multiple: true, default: [] },
      },
    });
    return { ok: true, args: { json: values.json, help: values.help, scopes: values.scope, addScopes: values['add-scope'] } };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

export const helpText = `Usage: npm run doctor [-- options]        (deployed: node dist/src/doctor/cli.js [options])

For a daemon that cannot get tokens: which credential its settings choose and why, every
setting read (secrets shown as "set (hidden)"), whether the identity endpoint answers (DNS,
TCP, TLS, HTTP, clock), and one token per scope through the real provider, with the error
code, every correlation id and what to do for each failure.

Settings come from the environment and, as under func start, from the Values of
local.settings.json in the current directory; the environment wins.

Options
  --scope <scope>      check this scope instead of the defaults (repeatable)
  --add-scope <scope>  check this scope as well (repeatable)
  --json               print the report as JSON: the same facts, remedies by stable id
  -h, --help           show this help

Default scopes: ${keyVaultScope} and the SQL scope of SQL_ENGINE
(postgres: ${sqlScopes.postgres}, azure-sql: ${sqlScopes['azure-sql']}).
TOKEN_REQUEST_TIMEOUT_MS bounds each request (default 10000).

Exit status: 0 when every check passed (warnings allowed), 1 when one failed, 2 for bad usage.
Nothing secret is printed: no token, key, certificate, password or IDENTITY_HEADER.
JSON through npm: npm run --silent doctor -- --json
`;
