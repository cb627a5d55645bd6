/**
 * A failed token acquisition, explained: which remedy applies (a stable id) and what to do, in
 * words that name this setup's tenant, app, identity and endpoint. The AADSTS numbers decide
 * first (they are the most specific fact there is), then the error code, then the status.
 */
import { clockOffsetText, clockSkewLimitMs } from './clock-skew.js';
import type { Remedy } from './report.js';
import type { Failure, Situation } from './situation.js';

/** Entra rejected the certificate itself: unknown, retired, revoked or expired key (Microsoft.Identity.Web's list and kin). */
const certificateRejections = [700027, 7000214, 1000502, 7000274, 7000277, 7000215, 7000222, 700023, 50012, 7000112, 700025];

const appRegistration = (s: Situation): string => `app registration ${s.clientId ?? '(AZURE_CLIENT_ID)'}`;
const resourceOf = (scope: string | undefined): string => scope?.replace(/\/\.default$/, '') ?? 'the resource';
const when = (at: number | undefined, now: number): string =>
  at === undefined ? 'later' : `${new Date(at).toISOString()} (${Math.max(0, Math.ceil((at - now) / 1000))} s from now)`;

/** What to set, for the settings people most often get wrong; the finding already says what is wrong. */
const settingHints: Record<string, string> = {
  'IDENTITY_ENDPOINT or AZURE_CLIENT_CERTIFICATE_PATH':
    'In Azure, enable a managed identity on the Function App (the app → Identity → System assigned → On): the platform sets IDENTITY_ENDPOINT and IDENTITY_HEADER. ' +
    'Locally, set DAEMON_CREDENTIAL=certificate, AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH in local.settings.json (start from local.settings.sample.json).',
  DAEMON_CREDENTIAL: "Set DAEMON_CREDENTIAL to 'managed-identity' or 'certificate', or remove it and let the other settings decide.",
  AZURE_CLIENT_CERTIFICATE_PATH:
    "Point AZURE_CLIENT_CERTIFICATE_PATH at a readable PEM file with the private key and the certificate (convert a PFX with 'openssl pkcs12 -nodes').",
  AZURE_CLIENT_CERTIFICATE_PASSWORD: 'Set AZURE_CLIENT_CERTIFICATE_PASSWORD to the password of the encrypted private key.',
  AZURE_TENANT_ID: 'Set AZURE_TENANT_ID to the Directory (tenant) ID on the app registration\'s Overview page.',
  AZURE_CLIENT_ID: 'Set AZURE_CLIENT_ID to the Application (client) ID on the app registration\'s Overview page.',
};

/** A configuration error's message without its `(setting: …)` tail: the check names the setting already. */
export function withoutSettingTail(message: string): string {
  return message.replace(/ \(setting: [^)]*\)$/, '');
}

function configuration(failure: Failure, s: Situation): Remedy {
  const setting = failure.setting ?? 'the setting named above';
  if (failure.setting === 'AZURE_CLIENT_CERTIFICATE_PATH' && /expired/.test(failure.message)) {
    return {
      id: 'certificate-expired',
      text: `Create a new certificate, upload its public part to the ${appRegistration(s)} (Certificates & secrets → Certificates), and point AZURE_CLIENT_CERTIFICATE_PATH at the new PEM file (private key and certificate).`,
    };
  }
  const where = s.kind === 'managed-identity' ? "the Function App's application settings" : 'the environment or local.settings.json (Values)';
  return { id: 'configuration', text: settingHints[setting] ?? `Fix ${setting} in ${where}: ${withoutSettingTail(failure.message)}.` };
}

function managedIdentity(failure: Failure, s: Situation): Remedy {
  const endpoint = s.endpoint ?? 'IDENTITY_ENDPOINT';
  if (failure.code === 'managed_identity_unreachable_network') {
    return {
      id: 'identity-not-enabled',
      text:
        `Nothing answered at the managed-identity endpoint ${endpoint}. Enable a managed identity on the Function App (portal: the app → Identity → System assigned → On, or add a user-assigned identity) ` +
        'and restart it: the platform then sets IDENTITY_ENDPOINT and IDENTITY_HEADER itself. Outside Azure there is no such endpoint: run locally with ' +
        'DAEMON_CREDENTIAL=certificate, AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH.',
    };
  }
  const status = failure.status ?? 0;
  if (status === 401 || status === 403) {
    return {
      id: 'identity-header-rejected',
      text:
        `The managed-identity endpoint refused IDENTITY_HEADER (HTTP ${status}). The platform sets it for each worker process; a value copied into an app setting or ` +
        'local.settings.json goes stale. Remove IDENTITY_ENDPOINT and IDENTITY_HEADER from your settings and let the platform set them.',
    };
  }
  if (status === 400 || status === 404) {
    if (s.userAssigned) {
      return {
        id: 'wrong-user-assigned-id',
        text:
          `No identity with ${s.userAssigned.setting}=${s.userAssigned.value} is assigned to this app (HTTP ${status}). Check the value against the identity's Overview ` +
          '(MANAGED_IDENTITY_CLIENT_ID takes its Client ID, not its Object (principal) ID) and add the identity under the app → Identity → User assigned.',
      };
    }
    return {
      id: 'identity-not-enabled',
      text:
        `The managed-identity endpoint knows no system-assigned identity for this app (HTTP ${status}). Turn it on (the app → Identity → System assigned → On) and give it access ` +
        'to the resources; or add a user-assigned identity to the app and set MANAGED_IDENTITY_CLIENT_ID to its client id.',
    };
  }
  return platformOrAnswer(failure, s);
}

function platformOrAnswer(failure: Failure, s: Situation): Remedy {
  const status = failure.status ?? 0;
  if (status >= 500 || status === 408 || (failure.code === 'identity_platform_unavailable' && status !== 200)) {
    const who = s.kind === 'managed-identity' ? 'The managed-identity endpoint (the platform\'s token service)' : 'The identity platform';
    return {
      id: 'platform-unavailable',
      text:
        `${who} failed with HTTP ${status}: the fault is on its side and usually passes. The provider backs off and sends the next request at ${when(failure.retryAt, s.now)}. ` +
        'If it lasts more than a few minutes, check Azure Service Health and open a support request quoting the ids above.',
    };
  }
  return {
    id: 'unexpected-answer',
    text: `The endpoint answered HTTP ${status} without a usable token. Run the doctor again; if it persists, quote the ids above to support.`,
  };
}

function clockSkew(s: Situation): Remedy {
  const offset = s.clockOffsetMs;
  const measured =
    offset !== undefined && Math.abs(offset) > clockSkewLimitMs
      ? `This machine's clock is ${clockOffsetText(offset)} the identity platform's (its HTTP Date header): set the clock right and keep it synchronised (Linux: timedatectl set-ntp true; Windows: w32tm /resync).`
      : `The client assertion is signed with this machine's time. Its clock agrees with the identity platform's within ${clockSkewLimitMs / 60_000} min now, so look for a clock that jumps (a resumed VM, NTP turned off) and check the certificate's validity${s.certificate ? ` (notAfter ${s.certificate.notAfter})` : ''}.`;
  return { id: 'clock-skew', text: `Entra found the client assertion outside its valid time range (AADSTS700024). ${measured}` };
}

function entra(failure: Failure, s: Situation): Remedy | undefined {
  const codes = failure.errorCodes ?? [];
  const has = (...wanted: number[]): boolean => codes.some((code) => wanted.includes(code));
  const tenant = s.tenantId ?? '(AZURE_TENANT_ID)';
  if (has(90002, 900023)) {
    return {
      id: 'wrong-tenant',
      text:
        `Entra does not know tenant ${tenant} at ${s.endpoint ?? 'the authority host'} (AADSTS${codes.join(', AADSTS')}). Set AZURE_TENANT_ID to the Directory (tenant) ID ` +
        'on the app registration\'s Overview page, and AZURE_AUTHORITY_HOST to the cloud it lives in (public cloud: https://login.microsoftonline.com).',
    };
  }
  if (has(700016)) {
    return {
      id: 'unknown-application',
      text: `Tenant ${tenant} has no application ${s.clientId ?? '(AZURE_CLIENT_ID)'} (AADSTS700016). Set AZURE_CLIENT_ID to the Application (client) ID on the app registration's Overview page, in the tenant AZURE_TENANT_ID names.`,
    };
  }
  if (has(700024)) return clockSkew(s);
  if (has(65001, 650057)) {
    return {
      id: 'missing-admin-consent',
      text:
        `The ${appRegistration(s)} has no consented permission for ${resourceOf(failure.scope)} (AADSTS${codes.join(', AADSTS')}). An administrator must add it: Entra ID → App registrations → ` +
        `${s.clientId ?? 'the app'} → API permissions → Add a permission (the resource's application permission) → Grant admin consent for the tenant.`,
    };
  }
  if (has(500011)) {
    return {
      id: 'unknown-resource',
      text:
        `Tenant ${tenant} has no resource ${resourceOf(failure.scope)} (AADSTS500011): this is not about consent. Check the scope for typos and for the right cloud ` +
        '(e.g. database.windows.net vs database.usgovcloudapi.net); a third-party API must be provisioned in this tenant before its tokens can be issued.',
    };
  }
  if (has(...certificateRejections) || failure.platformError === 'invalid_client' || failure.platformError === 'unauthorized_client') {
    const which = s.certificate ? `certificate ${s.certificate.thumbprint} (${s.certificate.subject})` : 'the certificate in AZURE_CLIENT_CERTIFICATE_PATH';
    return {
      id: 'certificate-not-registered',
      text:
        `Entra did not accept ${which} for the ${appRegistration(s)} in tenant ${tenant}. Upload it (the public certificate, .cer/.pem) under Entra ID → App registrations → ` +
        `${s.clientId ?? 'the app'} → Certificates & secrets → Certificates, or point AZURE_CLIENT_CERTIFICATE_PATH at the certificate uploaded there; check that it has not expired or been removed. An upload takes a few minutes to reach every region.`,
    };
  }
  return undefined;
}

export function remedyFor(failure: Failure, s: Situation): Remedy {
  if (failure.code === 'configuration_error') return configuration(failure, s);
  const fromCodes = entra(failure, s);
  if (fromCodes) return fromCodes;
  switch (failure.code) {
    case 'throttled':
      return {
        id: 'throttled',
        text:
          `The platform throttled this identity (HTTP 429 with Retry-After) until ${when(failure.retryAt, s.now)}. Wait until then: the provider sends no request before it and keeps serving cached tokens. ` +
          'If it happens often, something else asks for tokens for this identity on every call (a credential created per invocation, another app sharing the identity).',
      };
    case 'invalid_scope':
      return { id: 'invalid-scope', text: `Request a resource's static scope, '<resource>/.default' (e.g. https://vault.azure.net/.default); daemon apps have no incremental consent. ${failure.message}` };
    case 'invalid_client_credential':
      return {
        id: 'certificate-unusable',
        text: 'No token request was sent: MSAL could not sign the client assertion with the key in AZURE_CLIENT_CERTIFICATE_PATH. Use a PEM file with the certificate and its RSA key of 2048 bits or more, and set AZURE_CLIENT_CERTIFICATE_PASSWORD if the key is encrypted.',
      };
    case 'identity_platform_unreachable':
      return {
        id: 'endpoint-unreachable',
        text: `No answer from the identity platform at ${s.endpoint ?? 'AZURE_AUTHORITY_HOST'}: check AZURE_AUTHORITY_HOST, DNS, outbound firewall rules for port 443 and any proxy (HTTPS_PROXY); the endpoint checks above say which step fails.`,
      };
    case 'managed_identity_unreachable_network':
    case 'managed_identity_failed_response':
      return managedIdentity(failure, s);
    case 'token_request_rejected':
      return {
        id: 'request-rejected',
        text: `Entra rejected the token request${failure.errorCodes ? ` (AADSTS${failure.errorCodes.join(', AADSTS')})` : ''}: look the code up at https://login.microsoftonline.com/error?code=<number> and fix what it names. ${failure.message}`,
      };
    default:
      return platformOrAnswer(failure, s);
  }
}
