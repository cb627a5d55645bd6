/** Builds a provider from explicit options: the credential settings plus the injected ports. */
import { Agent } from 'node:https';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { CertificateSource } from './certificate-source.js';
import { systemClock } from './clock.js';
import type { CredentialSettings } from './credential-settings.js';
import { createNodeHttpTransport, type HttpTransport } from './http-transport.js';
import { ManagedIdentitySource } from './managed-identity-source.js';
import { ResilientTokenProvider, type ProviderOptions } from './provider.js';
import type { TokenSource } from './token-source.js';
import type { TokenProvider } from './types.js';

export interface CreateTokenProviderOptions extends ProviderOptions {
  credential: CredentialSettings;
  /** HTTP port for the managed-identity protocol (default: node:http). */
  httpTransport?: HttpTransport | undefined;
  /** core-rest-pipeline HttpClient under @azure/identity for the certificate flow (default: the SDK's). */
  sdkHttpClient?: HttpClient | undefined;
  /** Extra CA (PEM) to trust for the authority host: private clouds and local emulators. */
  trustedCa?: string | undefined;
}

export function createTokenSource(options: CreateTokenProviderOptions): TokenSource {
  const clock = options.clock ?? systemClock;
  if (options.credential.kind === 'managed-identity') {
    return new ManagedIdentitySource(options.credential.managedIdentity, options.httpTransport ?? createNodeHttpTransport({ ca: options.trustedCa }), clock);
  }
  return new CertificateSource(options.credential.certificate, {
    clock,
    httpClient: options.sdkHttpClient,
    httpsAgent: options.trustedCa ? new Agent({ ca: options.trustedCa, keepAlive: true }) : undefined,
  });
}

export function createTokenProvider(options: CreateTokenProviderOptions): TokenProvider {
  return new ResilientTokenProvider(createTokenSource(options), options);
}
