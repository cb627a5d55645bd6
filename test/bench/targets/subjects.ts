/**
 * The credentials under test, built in the child the way a user builds them:
 * - ours: the package's `.` entry, `getTokenProvider()` configured from the environment (or
 *   `createTokenProvider` with an injected clock for the time-dependent scenarios);
 * - stock: `ManagedIdentityCredential` / `ClientCertificateCredential` of @azure/identity with
 *   default options (the certificate one pointed at the emulator's authority);
 * - dac: `new DefaultAzureCredential()`, which picks managed identity from IDENTITY_ENDPOINT or
 *   EnvironmentCredential from the AZURE_* certificate variables.
 * With telemetry on, stock gets Application Insights as a user sets it up: `setup().start()`
 * with its default auto-collection, before the credential is loaded.
 */
import type { Clock } from '../../../src/auth/clock.js';
import type { HttpTransport } from '../../../src/auth/http-transport.js';

export const impls = ['ours', 'stock', 'dac'] as const;
export type Impl = (typeof impls)[number];
export const kinds = ['mi', 'cert'] as const;
export type Kind = (typeof kinds)[number];

export interface IssuedToken {
  token: string;
}

/** One getToken, as cheap a wrapper as the implementation allows (the hot loop calls it). */
export type GetToken = (scope: string, options?: object) => Promise<IssuedToken | null>;

export interface Subject {
  getToken: GetToken;
  /** Stops background timers where the implementation has them. */
  close(): void;
  /** Sends buffered telemetry to the ingestion capture (a no-op without telemetry). */
  flushTelemetry(): Promise<void>;
}

export interface SubjectOptions {
  impl: Impl;
  kind: Kind;
  /** Ours only: through `provider.credential`, the core-auth TokenCredential. */
  viaCredential?: boolean;
  telemetry?: boolean;
  /** Ours only: virtual time and an instrumented transport (time-dependent scenarios). */
  clock?: Clock;
  httpTransport?: HttpTransport;
}

async function ours(options: SubjectOptions): Promise<Subject> {
  // The package's `.` entry by name (self-reference): what its `exports` resolve, as a user's import does.
  const library = await import('resilient-daemon-functions');
  const provider =
    options.clock === undefined
      ? library.getTokenProvider()
      : library.createTokenProvider({ credential: library.credentialSettingsFromEnvironment(process.env), clock: options.clock, httpTransport: options.httpTransport });
  const close = (): void => provider.close();
  const flushTelemetry = library.flushTelemetry;
  if (options.viaCredential === true) {
    const credential = provider.credential;
    return { getToken: (scope, getTokenOptions) => credential.getToken(scope, getTokenOptions), close, flushTelemetry };
  }
  return { getToken: (scope, getTokenOptions) => provider.getToken(scope, getTokenOptions), close, flushTelemetry };
}

/** Application Insights as its README sets it up: default auto-collection; returns its flush. */
async function startApplicationInsights(): Promise<() => Promise<void>> {
  const { default: appInsights } = await import('applicationinsights');
  appInsights.setup(process.env.APPLICATIONINSIGHTS_CONNECTION_STRING).start();
  const client = appInsights.defaultClient;
  return () => client.flush();
}

async function stock(options: SubjectOptions): Promise<Subject> {
  const flushTelemetry = options.telemetry === true ? await startApplicationInsights() : () => Promise.resolve();
  const identity = await import('@azure/identity');
  const env = process.env;
  let credential: InstanceType<typeof identity.ManagedIdentityCredential | typeof identity.ClientCertificateCredential | typeof identity.DefaultAzureCredential>;
  if (options.impl === 'dac') {
    // The emulator's authority is not a known cloud: instance discovery must be off, as for any private authority.
    credential = options.kind === 'mi' ? new identity.DefaultAzureCredential() : new identity.DefaultAzureCredential({ disableInstanceDiscovery: true });
  } else if (options.kind === 'mi') {
    credential = new identity.ManagedIdentityCredential();
  } else {
    credential = new identity.ClientCertificateCredential(
      env.AZURE_TENANT_ID ?? '',
      env.AZURE_CLIENT_ID ?? '',
      { certificatePath: env.AZURE_CLIENT_CERTIFICATE_PATH ?? '' },
      { authorityHost: env.AZURE_AUTHORITY_HOST, disableInstanceDiscovery: true },
    );
  }
  return { getToken: (scope, getTokenOptions) => credential.getToken(scope, getTokenOptions), close: () => undefined, flushTelemetry };
}

export function createSubject(options: SubjectOptions): Promise<Subject> {
  return options.impl === 'ours' ? ours(options) : stock(options);
}
