/**
 * The local services the function tests run against, started on 127.0.0.1 and stopped together:
 * a run-time test CA, the identity emulator (App Service managed identity), a real token provider
 * on it, and the Key Vault emulator that accepts only tokens the identity emulator issued.
 */
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import { tlsPolicy } from '@azure/core-rest-pipeline';
import type { Clock } from '../../src/auth/clock.js';
import { createTokenProvider } from '../../src/auth/create-provider.js';
import { credentialSettingsFromEnvironment } from '../../src/auth/credential-settings.js';
import type { TokenProvider } from '../../src/auth/types.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../../src/sandbox/keyvault/index.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';

export interface FunctionsStack {
  ca: TestCa;
  identity: IdentityEmulator;
  vault: KeyVaultEmulator;
  provider: TokenProvider;
  /** Environment a managed-identity app on this stack reads. */
  identityEnv: Record<string, string>;
  /** Test-only SecretClient options: trust the test CA for this client's requests (the SDK and its pipeline stay real). */
  keyVaultTls: SecretClientOptions;
  /**
   * `keyVaultTls` plus `disableChallengeResourceVerification: true`: the SDK's check that the
   * challenge resource matches `*.vault.azure.net` can never pass for a vault on 127.0.0.1.
   */
  keyVaultClientOptions: SecretClientOptions;
  stop(): Promise<void>;
}

export async function startFunctionsStack(options: { clock?: Clock; vaultNow?: () => number; vaultLatencyMs?: number } = {}): Promise<FunctionsStack> {
  const ca = createTestCa();
  const identity = await startIdentityEmulator({ ca });
  const vault = await startKeyVaultEmulator({ ca, validateToken: (token) => identity.wasIssued(token), latencyMs: options.vaultLatencyMs, now: options.vaultNow });
  const identityEnv = { IDENTITY_ENDPOINT: identity.managedIdentityEndpoint, IDENTITY_HEADER: identity.identityHeader };
  const provider = createTokenProvider({ credential: credentialSettingsFromEnvironment(identityEnv), clock: options.clock });
  const keyVaultTls: SecretClientOptions = { additionalPolicies: [{ policy: tlsPolicy({ ca: ca.caCertPem }), position: 'perCall' }] };
  return {
    ca,
    identity,
    vault,
    provider,
    identityEnv,
    keyVaultTls,
    keyVaultClientOptions: { ...keyVaultTls, disableChallengeResourceVerification: true },
    async stop() {
      provider.close();
      await Promise.all([vault.stop(), identity.stop()]);
      ca.cleanup();
    },
  };
}
