/**
 * Every setting the app reads, missing, empty, malformed or out of range: each must be a start-up
 * error (the typed setting error: AppSettingError, or TokenError configuration_error for the
 * credential) whose message names that very setting; optional ones fall back to their default.
 * The last row loads the app as the worker does, in a child, to show the error stops start-up.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TokenError } from '../../../../src/auth/errors.js';
import { AppSettingError } from '../../../../src/settings/setting-error.js';
import { runNodeScript } from '../../../support/child-process.js';
import { egressGuardChildEnv, readEgressReport } from '../../../support/egress-guard.js';
import { check, type MatrixRow, type RowOutcome } from '../../matrix.js';
import { settingGroups, type SettingGroup } from '../../properties/settings-arbitraries.js';
import type { BadInputContext } from './context.js';

type Case = [group: string, setting: string, value: string | undefined];

function groupsFor(context: BadInputContext): Map<string, SettingGroup> {
  const certificate = context.stack.ca.makeClientCertificate('bad-input-settings', { password: `pw-${crypto.randomUUID()}` });
  context.leaks.watchCertificate({ ...certificate, name: 'settings certificate' });
  const groups = settingGroups(certificate.path).map((group) =>
    group.name === 'certificate credentials' ? { ...group, base: { ...group.base, AZURE_CLIENT_CERTIFICATE_PASSWORD: certificate.password } } : group,
  );
  return new Map(groups.map((g) => [g.name, g]));
}

/** The error names exactly `setting`, in its `setting` field and in its message. */
function namesSetting(error: unknown, setting: string): boolean {
  const typed = error instanceof AppSettingError || (error instanceof TokenError && error.code === 'configuration_error');
  return typed && error.setting === setting && error.message.includes(setting);
}

function runCases(context: BadInputContext, injected: string, cases: readonly Case[]): RowOutcome {
  const groups = groupsFor(context);
  const wrong: string[] = [];
  for (const [groupName, setting, value] of cases) {
    const group = groups.get(groupName) as SettingGroup;
    const env: Record<string, string | undefined> = { ...group.base, [setting]: value };
    if (value === undefined) delete env[setting];
    try {
      group.read(env);
      wrong.push(`${setting}=${JSON.stringify(value)} accepted`);
    } catch (error) {
      context.leaks.addError(`setting ${setting}`, error);
      if (!namesSetting(error, setting)) wrong.push(`${setting}: ${String(error)}`.slice(0, 160));
    }
  }
  const settings = new Set(cases.map(([, s]) => s)).size;
  return {
    injected,
    outcome: `${cases.length - wrong.length}/${cases.length} start-up errors naming the setting`,
    requests: 'none',
    checks: [check('each is a typed start-up error whose message names that setting', wrong.length === 0, wrong.length === 0 ? `${settings} settings, ${cases.length} cases` : wrong.slice(0, 2).join('; '))],
  };
}

const required: [string, string][] = [
  ['app settings (PostgreSQL)', 'KEY_VAULT_URL'],
  ['app settings (PostgreSQL)', 'POSTGRES_HOST'],
  ['app settings (PostgreSQL)', 'POSTGRES_DATABASE'],
  ['app settings (PostgreSQL)', 'POSTGRES_USER'],
  ['app settings (Azure SQL)', 'AZURE_SQL_SERVER'],
  ['app settings (Azure SQL)', 'AZURE_SQL_DATABASE'],
  ['managed identity (App Service)', 'IDENTITY_ENDPOINT'],
  ['managed identity (App Service)', 'IDENTITY_HEADER'],
  ['certificate credentials', 'AZURE_TENANT_ID'],
  ['certificate credentials', 'AZURE_CLIENT_ID'],
  ['certificate credentials', 'AZURE_CLIENT_CERTIFICATE_PATH'],
];

const malformed: Case[] = [
  ['app settings (PostgreSQL)', 'KEY_VAULT_URL', 'not a url'],
  ['app settings (PostgreSQL)', 'KEY_VAULT_URL', 'http://v.vault.azure.net'],
  ['app settings (PostgreSQL)', 'KEY_VAULT_SECRET_CACHE_TTL_SECONDS', '5 minutes'],
  ['app settings (PostgreSQL)', 'KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION', 'yes'],
  ['app settings (PostgreSQL)', 'SQL_ENGINE', 'mysql'],
  ['app settings (PostgreSQL)', 'SQL_POOL_MAX', '1.5'],
  ['app settings (PostgreSQL)', 'POSTGRES_PORT', '0x1538'],
  ['app settings (PostgreSQL)', 'POSTGRES_SSL', 'required'],
  ['app settings (PostgreSQL)', 'INVENTORY_SWEEP_SCHEDULE', '0 2 * * *'],
  ['app settings (PostgreSQL)', 'INVENTORY_SWEEP_CONCURRENCY', 'eight'],
  ['app settings (PostgreSQL)', 'INVENTORY_EXPIRY_WINDOW_DAYS', '30d'],
  ['app settings (PostgreSQL)', 'INGEST_QUEUE_NAME', 'Ingest_Events'],
  ['app settings (PostgreSQL)', 'INGEST_SIGNING_KEY_SECRET_NAME', 'keys/ingest'],
  ['app settings (PostgreSQL)', 'INGEST_MAX_MESSAGE_BYTES', '16 KiB'],
  ['app settings (Azure SQL)', 'AZURE_SQL_PORT', '\u202E1433'],
  ['managed identity (App Service)', 'IDENTITY_ENDPOINT', 'localhost:8081/msi/token'],
  ['managed identity (App Service)', 'MANAGED_IDENTITY_CLIENT_ID', 'not-a-guid'],
  ['managed identity (App Service)', 'MANAGED_IDENTITY_RESOURCE_ID', '/subscriptions/x/identities/y'],
  ['managed identity (App Service)', 'MANAGED_IDENTITY_OBJECT_ID', '😀'],
  ['managed identity (App Service)', 'DAEMON_CREDENTIAL', 'both'],
  ['managed identity (IMDS)', 'AZURE_POD_IDENTITY_AUTHORITY_HOST', 'ftp://169.254.169.254'],
  ['certificate credentials', 'AZURE_TENANT_ID', 'common'],
  ['certificate credentials', 'AZURE_CLIENT_ID', 'my-app'],
  ['certificate credentials', 'AZURE_CLIENT_CERTIFICATE_PATH', '/nonexistent/\u0000cert.pem'],
  ['certificate credentials', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'wrong-password'],
  ['certificate credentials', 'AZURE_CLIENT_SEND_CERTIFICATE_CHAIN', 'on'],
  ['certificate credentials', 'AZURE_REGIONAL_AUTHORITY_NAME', 'west europe'],
  ['certificate credentials', 'AZURE_AUTHORITY_HOST', 'http://login.microsoftonline.com'],
  ['token request timeout', 'TOKEN_REQUEST_TIMEOUT_MS', '10s'],
  ['token maximum wait', 'TOKEN_MAX_WAIT_MS', 'forever'],
  ['telemetry', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'garbage'],
  ['telemetry', 'TELEMETRY_DISABLE_OFFLINE_STORAGE', 'yes'],
];

const ranged: [string, string, number, number][] = [
  ['app settings (PostgreSQL)', 'KEY_VAULT_SECRET_CACHE_TTL_SECONDS', 0, 86_400],
  ['app settings (PostgreSQL)', 'SQL_POOL_MAX', 1, 100],
  ['app settings (PostgreSQL)', 'POSTGRES_PORT', 1, 65_535],
  ['app settings (PostgreSQL)', 'INVENTORY_SWEEP_CONCURRENCY', 1, 64],
  ['app settings (PostgreSQL)', 'INVENTORY_EXPIRY_WINDOW_DAYS', 0, 3650],
  ['app settings (PostgreSQL)', 'INGEST_MAX_MESSAGE_BYTES', 256, 65_536],
  ['app settings (Azure SQL)', 'AZURE_SQL_PORT', 1, 65_535],
  ['token request timeout', 'TOKEN_REQUEST_TIMEOUT_MS', 1, Number.MAX_SAFE_INTEGER],
  ['token maximum wait', 'TOKEN_MAX_WAIT_MS', 0, 3_600_000],
];

const loadFunctionApp = fileURLToPath(new URL('../../../packaging/fixtures/load-function-app.js', import.meta.url));
const appEnv = { IDENTITY_ENDPOINT: 'http://127.0.0.1:9/msi/token', IDENTITY_HEADER: 'not-a-real-header', KEY_VAULT_URL: 'https://example.vault.azure.net', POSTGRES_HOST: 'db.example', POSTGRES_DATABASE: 'inventory', POSTGRES_USER: 'app', APPLICATIONINSIGHTS_CONNECTION_STRING: '' };
// Blank is unset; an absent key would let this process's own KEY_VAULT_URL through to the child.
const startUpCases: [string, string][] = [
  ['KEY_VAULT_URL', ''],
  ['INGEST_MAX_MESSAGE_BYTES', '99999999'],
  ['APPLICATIONINSIGHTS_CONNECTION_STRING', 'garbage'],
  ['DAEMON_CREDENTIAL', 'both'],
];

async function startUp(context: BadInputContext): Promise<RowOutcome> {
  const report = join(context.stack.ca.dir, 'egress-start-up.jsonl');
  const wrong: string[] = [];
  for (const [setting, value] of startUpCases) {
    const env = { ...appEnv, [setting]: value, ...egressGuardChildEnv(report) };
    const child = await runNodeScript(loadFunctionApp, { env, timeoutMs: 30_000 });
    context.leaks.add(`start-up stderr (${setting})`, child.stderr);
    if (child.code === 0 || !child.stderr.includes(`(setting: ${setting})`)) wrong.push(`${setting}: exit ${String(child.code)}`);
  }
  const refused = readEgressReport(report).filter((a) => a.verdict !== 'loopback' && a.verdict !== 'ipc');
  return {
    injected: startUpCases.map(([s, v]) => `${s}=${v === '' ? '(unset)' : JSON.stringify(v)}`).join(', '),
    outcome: `${startUpCases.length - wrong.length}/${startUpCases.length} app loads stopped`,
    requests: `${refused.length} refused connections`,
    checks: [
      check('loading the app fails at start-up with the setting named', wrong.length === 0, wrong.join('; ') || `${startUpCases.length} child loads`),
      check('no connection attempted while failing', refused.length === 0, refused.map((a) => a.target).join(', ')),
    ],
  };
}

export const settingsRows: readonly MatrixRow<BadInputContext>[] = [
  {
    name: 'settings missing, empty or blank',
    run: (context) =>
      Promise.resolve(
        runCases(context, `${required.length} required settings × missing / "" / "   "`, required.flatMap(([group, setting]): Case[] => [[group, setting, undefined], [group, setting, ''], [group, setting, '   ']])),
      ),
  },
  { name: 'settings malformed', run: (context) => Promise.resolve(runCases(context, `${malformed.length} malformed values`, malformed)) },
  {
    name: 'settings out of range',
    run: (context) =>
      Promise.resolve(
        runCases(
          context,
          `${ranged.length} integer settings at min-1 and max+1`,
          ranged.flatMap(([group, setting, min, max]): Case[] => [[group, setting, String(min - 1)], [group, setting, max === Number.MAX_SAFE_INTEGER ? '9007199254740993' : String(max + 1)]]),
        ),
      ),
  },
  { name: 'a bad setting stops the app loading', run: startUp },
];
