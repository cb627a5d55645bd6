/**
 * The environment of a target child: nothing identity- or telemetry-related inherited from the
 * bench's own environment, the run's CA trusted (NODE_EXTRA_CA_CERTS, read only at start-up:
 * one reason each target is a fresh process), then what the target's credential reads.
 */
import { cleanEnv } from '../support/child-process.js';
import type { AppBackends } from './app-backends.js';
import type { BenchSandbox } from './sandbox.js';

export type IdentityKind = 'mi' | 'cert';

export interface EnvRequest {
  identity: IdentityKind;
  telemetry?: boolean | undefined;
  /** The function app's settings (Key Vault, PostgreSQL, queues). */
  app?: boolean | undefined;
  extra?: Record<string, string> | undefined;
  /** The target's own key in the connection string, so its telemetry items can be counted. */
  instrumentationKey?: string | undefined;
}

const TELEMETRY_ENV = /^APPLICATION_?INSIGHTS_/;

export function targetEnv(sandbox: BenchSandbox, backends: AppBackends, request: EnvRequest): Record<string, string> {
  const env = cleanEnv();
  for (const name of Object.keys(env)) if (TELEMETRY_ENV.test(name)) delete env[name];
  env.NODE_EXTRA_CA_CERTS = sandbox.ca.caCertPath;
  if (request.identity === 'mi') {
    env.IDENTITY_ENDPOINT = sandbox.identity.managedIdentityEndpoint;
    env.IDENTITY_HEADER = sandbox.identity.identityHeader;
  } else {
    env.AZURE_TENANT_ID = sandbox.client.tenantId;
    env.AZURE_CLIENT_ID = sandbox.client.clientId;
    env.AZURE_CLIENT_CERTIFICATE_PATH = sandbox.client.certificate.path;
    env.AZURE_AUTHORITY_HOST = sandbox.identity.authorityHost;
  }
  if (request.telemetry === true) {
    env.APPLICATIONINSIGHTS_CONNECTION_STRING = sandbox.connectionString(request.instrumentationKey ?? '00000000-0000-0000-0000-000000000000');
    env.TELEMETRY_DISABLE_OFFLINE_STORAGE = 'true';
    // Statsbeat reports to Microsoft's own endpoints, whoever set the SDK up: never from a bench.
    env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
  }
  if (request.app === true) Object.assign(env, backends.appSettings());
  return { ...env, ...request.extra };
}
