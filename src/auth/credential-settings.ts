/**
 * Which credential, from configuration alone: deterministic, no probing. Every problem is a
 * `configuration_error` at start-up that names the setting and says what to set.
 */
import { readClientCertificate } from './certificate-file.js';
import type { CertificateSettings } from './certificate-source.js';
import { configurationError } from './errors.js';
import type { ManagedIdentitySettings, UserAssignedId } from './managed-identity-source.js';

export type CredentialSettings =
  | { kind: 'managed-identity'; managedIdentity: ManagedIdentitySettings }
  | { kind: 'certificate'; certificate: CertificateSettings };

export type Environment = Record<string, string | undefined>;

const publicCloudAuthorityHosts = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn']);
const guidPattern = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;
const defaultImdsHost = 'http://169.254.169.254';

function read(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function require(env: Environment, name: string, why: string): string {
  const value = read(env, name);
  if (!value) throw configurationError(name, `${name} is not set. ${why}`);
  return value;
}

function parseUrl(value: string, setting: string, protocols: string[]): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configurationError(setting, `${setting} is not a URL: '${value}'`);
  }
  if (!protocols.includes(url.protocol)) throw configurationError(setting, `${setting} must use ${protocols.join(' or ')}; got '${url.protocol}'`);
  return url;
}

function parseBoolean(env: Environment, name: string): boolean {
  const value = read(env, name)?.toLowerCase();
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw configurationError(name, `${name} must be 'true' or 'false'; got '${value}'`);
}

function userAssignedIdentity(env: Environment): UserAssignedId | undefined {
  const candidates: { name: string; kind: UserAssignedId['kind'] }[] = [
    { name: 'MANAGED_IDENTITY_CLIENT_ID', kind: 'client-id' },
    { name: 'MANAGED_IDENTITY_RESOURCE_ID', kind: 'resource-id' },
    { name: 'MANAGED_IDENTITY_OBJECT_ID', kind: 'object-id' },
  ];
  const set = candidates.filter((c) => read(env, c.name) !== undefined);
  if (set.length > 1) {
    throw configurationError(set.map((c) => c.name).join(', '), `Set at most one of ${set.map((c) => c.name).join(', ')} to pick a user-assigned identity`);
  }
  const chosen = set[0];
  if (!chosen) return undefined;
  const value = read(env, chosen.name) as string;
  if (chosen.kind === 'resource-id' && !/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i.test(value)) {
    throw configurationError(chosen.name, `${chosen.name} must be an ARM resource id '/subscriptions/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>'`);
  }
  if (chosen.kind !== 'resource-id' && !guidPattern.test(value)) throw configurationError(chosen.name, `${chosen.name} must be a GUID`);
  return { kind: chosen.kind, value };
}

function managedIdentitySettings(env: Environment): ManagedIdentitySettings {
  const endpoint = read(env, 'IDENTITY_ENDPOINT');
  const header = read(env, 'IDENTITY_HEADER');
  const userAssigned = userAssignedIdentity(env);
  if (endpoint || header) {
    if (!endpoint) throw configurationError('IDENTITY_ENDPOINT', 'IDENTITY_HEADER is set but IDENTITY_ENDPOINT is not; both come from the platform when a managed identity is enabled');
    if (!header) throw configurationError('IDENTITY_HEADER', 'IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not; both come from the platform when a managed identity is enabled');
    parseUrl(endpoint, 'IDENTITY_ENDPOINT', ['http:', 'https:']);
    return { protocol: 'app-service', endpoint, identityHeader: header, userAssigned };
  }
  const host = read(env, 'AZURE_POD_IDENTITY_AUTHORITY_HOST') ?? defaultImdsHost;
  const base = parseUrl(host, 'AZURE_POD_IDENTITY_AUTHORITY_HOST', ['http:', 'https:']);
  return { protocol: 'imds', endpoint: new URL('/metadata/identity/oauth2/token', base).toString(), userAssigned };
}

function certificateSettings(env: Environment, now: Date): CertificateSettings {
  const localHint = 'For local development with certificate credentials set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH (see local.settings.sample.json).';
  const tenantId = require(env, 'AZURE_TENANT_ID', localHint);
  if (['common', 'organizations', 'consumers'].includes(tenantId.toLowerCase())) {
    throw configurationError('AZURE_TENANT_ID', `AZURE_TENANT_ID must name one tenant (GUID or domain) for client credentials; '${tenantId}' is a multi-tenant alias`);
  }
  const clientId = require(env, 'AZURE_CLIENT_ID', localHint);
  if (!guidPattern.test(clientId)) throw configurationError('AZURE_CLIENT_ID', 'AZURE_CLIENT_ID must be the application (client) id GUID');
  const path = require(env, 'AZURE_CLIENT_CERTIFICATE_PATH', localHint);
  const password = env['AZURE_CLIENT_CERTIFICATE_PASSWORD'] || undefined;
  const certificate = readClientCertificate(path, password, now);
  const authority = parseUrl(read(env, 'AZURE_AUTHORITY_HOST') ?? 'https://login.microsoftonline.com', 'AZURE_AUTHORITY_HOST', ['https:']);
  const regionalAuthority = read(env, 'AZURE_REGIONAL_AUTHORITY_NAME');
  if (regionalAuthority && !/^[a-z0-9]+$/i.test(regionalAuthority)) {
    throw configurationError('AZURE_REGIONAL_AUTHORITY_NAME', `AZURE_REGIONAL_AUTHORITY_NAME must be an Azure region name like 'westeurope' or 'AutoDiscoverRegion'`);
  }
  return {
    tenantId,
    clientId,
    certificatePem: certificate.pem,
    certificatePassword: password,
    sendCertificateChain: parseBoolean(env, 'AZURE_CLIENT_SEND_CERTIFICATE_CHAIN'),
    authorityHost: authority.origin,
    regionalAuthority,
    disableInstanceDiscovery: !publicCloudAuthorityHosts.has(authority.hostname),
  };
}

/**
 * Managed identity when the platform configured one (IDENTITY_ENDPOINT + IDENTITY_HEADER) or
 * DAEMON_CREDENTIAL says so; certificate credentials when DAEMON_CREDENTIAL says so or their
 * settings are present; otherwise a start-up error saying what to set.
 */
export function credentialSettingsFromEnvironment(env: Environment, now = new Date()): CredentialSettings {
  const explicit = read(env, 'DAEMON_CREDENTIAL')?.toLowerCase();
  if (explicit !== undefined && explicit !== 'managed-identity' && explicit !== 'certificate') {
    throw configurationError('DAEMON_CREDENTIAL', `DAEMON_CREDENTIAL must be 'managed-identity' or 'certificate'; got '${explicit}'`);
  }
  const platformIdentity = read(env, 'IDENTITY_ENDPOINT') !== undefined || read(env, 'IDENTITY_HEADER') !== undefined;
  if (explicit === 'managed-identity' || (explicit === undefined && platformIdentity)) {
    return { kind: 'managed-identity', managedIdentity: managedIdentitySettings(env) };
  }
  const certificateConfigured = ['AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_TENANT_ID'].some((name) => read(env, name) !== undefined);
  if (explicit === 'certificate' || certificateConfigured) {
    return { kind: 'certificate', certificate: certificateSettings(env, now) };
  }
  throw configurationError(
    'IDENTITY_ENDPOINT or AZURE_CLIENT_CERTIFICATE_PATH',
    'No credential is configured. In Azure, enable a managed identity on the Function App (the platform sets IDENTITY_ENDPOINT and IDENTITY_HEADER); ' +
      'locally, set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH',
  );
}

export function positiveIntegerSetting(env: Environment, name: string): number | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw configurationError(name, `${name} must be a positive integer; got '${value}'`);
  return Number(value);
}
