/**
 * Why the provider chose the credential it chose, in words. The choice itself is made by
 * credentialSettingsFromEnvironment (src/auth); this only explains it, from the same settings and
 * the same precedence: DAEMON_CREDENTIAL, then the platform's managed-identity variables, then
 * the certificate settings.
 */
import type { CredentialSource } from '../auth/errors.js';

export interface CredentialChoice {
  kind: CredentialSource | undefined;
  reason: string;
}

/** `read` returns a setting's trimmed value, undefined when unset or blank. */
export function explainChoice(read: (name: string) => string | undefined): CredentialChoice {
  const explicit = read('DAEMON_CREDENTIAL')?.toLowerCase();
  const endpoint = read('IDENTITY_ENDPOINT');
  const header = read('IDENTITY_HEADER');
  const platform = endpoint !== undefined || header !== undefined;
  const platformVariables =
    endpoint !== undefined && header !== undefined
      ? 'IDENTITY_ENDPOINT and IDENTITY_HEADER are set'
      : `${endpoint !== undefined ? 'IDENTITY_ENDPOINT' : 'IDENTITY_HEADER'} is set (without ${endpoint !== undefined ? 'IDENTITY_HEADER' : 'IDENTITY_ENDPOINT'})`;
  if (explicit !== undefined && explicit !== 'managed-identity' && explicit !== 'certificate') {
    return { kind: undefined, reason: `DAEMON_CREDENTIAL is '${explicit}', which names no credential ('managed-identity' or 'certificate')` };
  }
  if (explicit === 'managed-identity') {
    const where = platform
      ? `${platformVariables}: the App Service/Functions endpoint`
      : `IDENTITY_ENDPOINT is unset: IMDS at ${read('AZURE_POD_IDENTITY_AUTHORITY_HOST') ?? 'http://169.254.169.254'}`;
    return { kind: 'managed-identity', reason: `DAEMON_CREDENTIAL is 'managed-identity'; ${where}` };
  }
  if (explicit === undefined && platform) {
    return { kind: 'managed-identity', reason: `${platformVariables}; the platform sets both when a managed identity is enabled on the app` };
  }
  if (explicit === 'certificate') return { kind: 'certificate', reason: "DAEMON_CREDENTIAL is 'certificate'" };
  const certificateSettings = ['AZURE_TENANT_ID', 'AZURE_CLIENT_CERTIFICATE_PATH'].filter((name) => read(name) !== undefined);
  if (certificateSettings.length > 0) {
    return {
      kind: 'certificate',
      reason: `${certificateSettings.join(' and ')} ${certificateSettings.length > 1 ? 'are' : 'is'} set and no managed-identity endpoint is (IDENTITY_ENDPOINT, IDENTITY_HEADER unset)`,
    };
  }
  return {
    kind: undefined,
    reason: 'nothing names a credential: DAEMON_CREDENTIAL, IDENTITY_ENDPOINT/IDENTITY_HEADER and AZURE_TENANT_ID/AZURE_CLIENT_CERTIFICATE_PATH are all unset',
  };
}
