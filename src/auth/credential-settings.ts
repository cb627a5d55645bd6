/**
 * Which credential, from configuration alone: deterministic, no probing. Every problem is a
 * `configuration_error` at start-up that names the setting and says what to set. The settings
 * returned print and serialise with their secrets hidden (they end up in people's logs).
 */
import type { CertificateSettings } from './certificate-source.js';
import { CertificateStore } from './certificate-store.js';
import { settingReader, type Environment, type SettingReader } from '../environment.js';
import { configurationError } from './errors.js';
import type { ManagedIdentitySettings, UserAssignedId } from './managed-identity-source.js';
import { hideSecrets } from './safe-inspect.js';

export type CredentialSettings =
  | { kind: 'managed-identity'; managedIdentity: ManagedIdentitySettings }
  | { kind: 'certificate'; certificate: CertificateSettings };

export type { Environment } from '../environment.js';

const publicCloudAuthorityHosts = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn']);
const guidPattern = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;
const defaultImdsHost = 'http://169.254.169.254';

/** Credential settings fail as TokenError(configuration_error), naming the setting. */
function readerOf(env: Environment): SettingReader {
  return settingReader(env, (setting, message) => configurationError(setting, message));
}

function userAssignedIdentity(settings: SettingReader): UserAssignedId | undefined {
  const candidates: { name: string; kind: UserAssignedId['kind'] }[] = [
    { name: 'MANAGED_IDENTITY_CLIENT_ID', kind: 'client-id' },
    { name: 'MANAGED_IDENTITY_RESOURCE_ID', kind: 'resource-id' },
    { name: 'MANAGED_IDENTITY_OBJECT_ID', kind: 'object-id' },
  ];
  const set = candidates.filter((c) => settings.read(c.name) !== undefined);
  if (set.length > 1) {
    throw configurationError(set.map((c) => c.name).join(', '), `Set at most one of ${set.map((c) => c.name).join(', ')} to pick a user-assigned identity`);
  }
  const chosen = set[0];
  if (!chosen) return undefined;
  const value = settings.read(chosen.name) as string;
  if (chosen.kind === 'resource-id' && !/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i.test(value)) {
    throw configurationError(chosen.name, `${chosen.name} must be an ARM resource id '/subscriptions/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>'`);
  }
  if (chosen.kind !== 'resource-id' && !guidPattern.test(value)) throw configurationError(chosen.name, `${chosen.name} must be a GUID`);
  return { kind: chosen.kind, value };
}

function managedIdentitySettings(settings: SettingReader): ManagedIdentitySettings {
  const endpoint = settings.read('IDENTITY_ENDPOINT');
  const header = settings.read('IDENTITY_HEADER');
  const userAssigned = userAssignedIdentity(settings);
  if (endpoint || header) {
    if (!endpoint) throw configurationError('IDENTITY_ENDPOINT', 'IDENTITY_HEADER is set but IDENTITY_ENDPOINT is not; both come from the platform when a managed identity is enabled');
    if (!header) throw configurationError('IDENTITY_HEADER', 'IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not; both come from the platform when a managed identity is enabled');
    settings.url('IDENTITY_ENDPOINT', endpoint, ['http:', 'https:']);
    return hideSecrets({ protocol: 'app-service', endpoint, identityHeader: header, userAssigned }, ['identityHeader']);
  }
  const host = settings.read('AZURE_POD_IDENTITY_AUTHORITY_HOST') ?? defaultImdsHost;
  const base = settings.url('AZURE_POD_IDENTITY_AUTHORITY_HOST', host, ['http:', 'https:']);
  return { protocol: 'imds', endpoint: new URL('/metadata/identity/oauth2/token', base).toString(), userAssigned };
}

function certificateSettings(env: Environment, settings: SettingReader, now: Date): CertificateSettings {
  const localHint = 'For local development with certificate credentials set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH (see local.settings.sample.json).';
  const tenantId = settings.required('AZURE_TENANT_ID', localHint);
  if (['common', 'organizations', 'consumers'].includes(tenantId.toLowerCase())) {
    throw configurationError('AZURE_TENANT_ID', `AZURE_TENANT_ID must name one tenant (GUID or domain) for client credentials; '${tenantId}' is a multi-tenant alias`);
  }
  const clientId = settings.required('AZURE_CLIENT_ID', localHint);
  if (!guidPattern.test(clientId)) throw configurationError('AZURE_CLIENT_ID', 'AZURE_CLIENT_ID must be the application (client) id GUID');
  const path = settings.required('AZURE_CLIENT_CERTIFICATE_PATH', localHint);
  // Not trimmed: spaces can be part of a password.
  const password = env['AZURE_CLIENT_CERTIFICATE_PASSWORD'] || undefined;
  const certificate = CertificateStore.open(path, password, now);
  const authority = settings.url('AZURE_AUTHORITY_HOST', settings.read('AZURE_AUTHORITY_HOST') ?? 'https://login.microsoftonline.com', ['https:']);
  const regionalAuthority = settings.read('AZURE_REGIONAL_AUTHORITY_NAME');
  if (regionalAuthority && !/^[a-z0-9]+$/i.test(regionalAuthority)) {
    throw configurationError('AZURE_REGIONAL_AUTHORITY_NAME', `AZURE_REGIONAL_AUTHORITY_NAME must be an Azure region name like 'westeurope' or 'AutoDiscoverRegion'`);
  }
  const result: CertificateSettings = {
    tenantId,
    clientId,
    certificate,
    sendCertificateChain: settings.boolean('AZURE_CLIENT_SEND_CERTIFICATE_CHAIN', false),
    authorityHost: authority.origin,
    regionalAuthority,
    disableInstanceDiscovery: !publicCloudAuthorityHosts.has(authority.hostname),
  };
  // The certificate store keeps the PEM and its password in private fields: nothing to hide here.
  return result;
}

/**
 * Managed identity when the platform configured one (IDENTITY_ENDPOINT + IDENTITY_HEADER) or
 * DAEMON_CREDENTIAL says so; certificate credentials when DAEMON_CREDENTIAL says so or their
 * settings are present; otherwise a start-up error saying what to set.
 */
export function credentialSettingsFromEnvironment(env: Environment, now = new Date()): CredentialSettings {
  const settings = readerOf(env);
  const explicit = settings.read('DAEMON_CREDENTIAL')?.toLowerCase();
  if (explicit !== undefined && explicit !== 'managed-identity' && explicit !== 'certificate') {
    throw configurationError('DAEMON_CREDENTIAL', `DAEMON_CREDENTIAL must be 'managed-identity' or 'certificate'; got '${explicit}'`);
  }
  const platformIdentity = settings.read('IDENTITY_ENDPOINT') !== undefined || settings.read('IDENTITY_HEADER') !== undefined;
  if (explicit === 'managed-identity' || (explicit === undefined && platformIdentity)) {
    return { kind: 'managed-identity', managedIdentity: managedIdentitySettings(settings) };
  }
  const certificateConfigured = ['AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_TENANT_ID'].some((name) => settings.read(name) !== undefined);
  if (explicit === 'certificate' || certificateConfigured) {
    return { kind: 'certificate', certificate: certificateSettings(env, settings, now) };
  }
  throw configurationError(
    'IDENTITY_ENDPOINT or AZURE_CLIENT_CERTIFICATE_PATH',
    'No credential is configured. In Azure, enable a managed identity on the Function App (the platform sets IDENTITY_ENDPOINT and IDENTITY_HEADER); ' +
      'locally, set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH',
  );
}

/** TOKEN_REQUEST_TIMEOUT_MS: the deadline of one identity request, when set. */
export function tokenRequestTimeoutSetting(env: Environment): number | undefined {
  return readerOf(env).optionalInteger('TOKEN_REQUEST_TIMEOUT_MS', 1, Number.MAX_SAFE_INTEGER);
}

/** TOKEN_MAX_WAIT_MS: how long a caller without a token waits for a closed gate (the provider's defaultMaxWaitMs), when set. */
export function tokenMaxWaitSetting(env: Environment): number | undefined {
  // Up to an hour: no gate stays closed longer (Retry-After is capped there).
  return readerOf(env).optionalInteger('TOKEN_MAX_WAIT_MS', 0, 60 * 60_000);
}

/** TOKEN_REFRESH_JITTER_PERCENT: the refresh jitter (the provider's refreshJitter.ratio, in percent), when set. */
export function tokenRefreshJitterSetting(env: Environment): number | undefined {
  // Up to half the wait: more would mostly refresh a token long before it needs it.
  const percent = readerOf(env).optionalInteger('TOKEN_REFRESH_JITTER_PERCENT', 0, 50);
  return percent === undefined ? undefined : percent / 100;
}
