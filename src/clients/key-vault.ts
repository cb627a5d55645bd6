/**
 * Key Vault adapter: the real `SecretClient` on the shared credential, with its pipeline retries
 * off (`maxRetries: 0`) so that retry timing is ours: a 429 closes a per-vault gate until
 * `Retry-After` passes (Key Vault throttles per vault, so every caller in the process waits), a
 * 5xx or timeout closes it for at least 5 s (vault-gate.ts), and the callers decide what waiting
 * means (the host's visibility timeout, or the sweep's clock).
 */
import type { TokenCredential } from '@azure/core-auth';
import { isRestError } from '@azure/core-rest-pipeline';
import { SecretClient, type SecretClientOptions, type SecretProperties } from '@azure/keyvault-secrets';
import type { Clock } from '../auth/clock.js';
import { parseRetryAfterMs } from '../auth/retry-after.js';
import { DependencyError, findTokenError, isDependencyError, tokenUnavailable } from './errors.js';
import type { SecretSummary, SecretVault } from './vault.js';
import { registerSecret } from '../telemetry/redact.js';
import { VaultGate } from './vault-gate.js';

/**
 * The SDK's RestError can quote the response body in its message (a malformed answer to a
 * get-secret call holds the secret value), so only its name, code and status travel on as cause.
 */
function summaryOf(error: { name: string; code?: string | undefined; statusCode?: number | undefined }): Error {
  return new Error(`${error.name}${error.code ? ` ${error.code}` : ''}${error.statusCode ? ` HTTP ${error.statusCode}` : ''}`);
}

export const keyVaultScope = 'https://vault.azure.net/.default';

export const keyVaultDefaults = {
  /** Key Vault returns at most 25 secrets per page whatever `maxresults` asks. */
  pageSize: 25,
  /** A Key Vault call that has not answered in 30 s is reported as unavailable, not awaited forever. */
  requestTimeoutMs: 30_000,
  /** Key Vault always sends Retry-After with a 429; if a proxy strips it, wait this long. */
  throttledWithoutRetryAfterMs: 10_000,
} as const;

export interface KeyVaultOptions {
  vaultUrl: string;
  credential: TokenCredential;
  clock: Clock;
  pageSize?: number;
  requestTimeoutMs?: number;
  /**
   * The SDK checks that the vault's host ends with the domain of the resource its 401 challenge
   * names (`*.vault.azure.net` for `https://vault.azure.net`, `*.vault.azure.cn` in Azure China),
   * so that a token is never sent to a host posing as a vault. A sandbox, a private-link name or
   * a proxy in front of a vault cannot pass it; `true` turns it off (the setting
   * KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION). Default: on.
   */
  disableChallengeResourceVerification?: boolean;
  /** Extra `SecretClient` options; the tests pass the emulator's CA trust. */
  clientOptions?: SecretClientOptions;
}

/** The SDK's words when the challenge's resource does not match the vault's host (keyvault-common). */
const challengeMismatch = /challenge resource .* does not match the requested domain/;

function summary(properties: SecretProperties): SecretSummary {
  return {
    name: properties.name,
    version: properties.version,
    enabled: properties.enabled ?? true,
    createdOn: properties.createdOn,
    updatedOn: properties.updatedOn,
    expiresOn: properties.expiresOn,
    notBefore: properties.notBefore,
    contentType: properties.contentType,
    tags: properties.tags ?? {},
  };
}

export function createKeyVault(options: KeyVaultOptions): SecretVault {
  const { clock } = options;
  const pageSize = options.pageSize ?? keyVaultDefaults.pageSize;
  const requestOptions = { timeout: options.requestTimeoutMs ?? keyVaultDefaults.requestTimeoutMs };
  const client = new SecretClient(options.vaultUrl, options.credential, {
    ...options.clientOptions,
    disableChallengeResourceVerification: options.disableChallengeResourceVerification ?? options.clientOptions?.disableChallengeResourceVerification ?? false,
    retryOptions: { maxRetries: 0 },
  });
  const gate = new VaultGate(clock);

  function checkGate(): void {
    const waitMs = gate.waitMs();
    if (waitMs <= 0) return;
    if (gate.reason === 'unavailable') {
      throw new DependencyError('vault_unavailable', 'key-vault', `Key Vault failed moments ago; no request for another ${waitMs} ms`, { retryable: true, retryAfterMs: waitMs });
    }
    throw new DependencyError('vault_throttled', 'key-vault', `Key Vault is throttling this instance for another ${waitMs} ms`, { retryable: true, status: 429, retryAfterMs: waitMs });
  }

  function classify(error: unknown, operation: string): DependencyError {
    if (isDependencyError(error)) return error;
    if (findTokenError(error)) return tokenUnavailable(error, keyVaultScope);
    if (isRestError(error)) {
      const status = error.statusCode;
      const requestId = error.response?.headers.get('x-ms-request-id') ?? undefined;
      const what = `Key Vault ${operation} failed`;
      const retryAfter = parseRetryAfterMs(error.response?.headers.get('retry-after'), clock.now());
      if (status === 429) {
        const retryAfterMs = gate.throttled(retryAfter ?? keyVaultDefaults.throttledWithoutRetryAfterMs);
        return new DependencyError('vault_throttled', 'key-vault', `${what}: throttled for ${retryAfterMs} ms`, { retryable: true, status, retryAfterMs, requestId, cause: summaryOf(error) });
      }
      // A 2xx the SDK could not parse (PARSE_ERROR) is a broken answer, not a refusal: try again later.
      if (status === undefined || status === 408 || status >= 500 || (status >= 200 && status < 300)) {
        const retryAfterMs = gate.unavailable(retryAfter);
        return new DependencyError('vault_unavailable', 'key-vault', `${what}: ${status ?? error.code ?? 'no response'}`, { retryable: true, status, retryAfterMs, requestId, cause: summaryOf(error) });
      }
      return new DependencyError('vault_rejected', 'key-vault', `${what}: HTTP ${status} (check the Key Vault Secrets User role and the secret name)`, { retryable: false, status, requestId, cause: summaryOf(error) });
    }
    if (error instanceof Error && challengeMismatch.test(error.message)) {
      // Configuration, not an outage: retrying cannot make the host match. No token was sent.
      return new DependencyError(
        'vault_rejected',
        'key-vault',
        `Key Vault ${operation} stopped before any token was sent: ${new URL(options.vaultUrl).hostname} is not under the domain of the resource the vault's challenge names. A sandbox, a private-link name or a proxy needs KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION=true; set it only for a host you trust`,
        { retryable: false, cause: summaryOf(error) },
      );
    }
    const cause = error instanceof Error ? summaryOf(error) : undefined;
    const retryAfterMs = gate.unavailable(undefined);
    return new DependencyError('vault_unavailable', 'key-vault', `Key Vault ${operation} failed: ${error instanceof Error ? error.name : 'unknown error'}`, { retryable: true, retryAfterMs, cause });
  }

  async function call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    checkGate();
    try {
      const result = await work();
      gate.succeeded();
      return result;
    } catch (error) {
      throw classify(error, operation);
    }
  }

  return {
    async *listSecrets() {
      checkGate();
      const pages = client.listPropertiesOfSecrets({ requestOptions }).byPage({ maxPageSize: pageSize });
      for (;;) {
        let page: IteratorResult<SecretProperties[]>;
        try {
          page = await pages.next();
        } catch (error) {
          throw classify(error, 'list secrets');
        }
        gate.succeeded();
        if (page.done === true) return;
        for (const properties of page.value) yield summary(properties);
      }
    },

    currentVersion(name) {
      return call('list versions', async () => {
        let current: SecretProperties | undefined;
        try {
          for await (const version of client.listPropertiesOfSecretVersions(name, { requestOptions })) {
            if (!current || (version.createdOn?.getTime() ?? 0) > (current.createdOn?.getTime() ?? 0)) current = version;
          }
        } catch (error) {
          if (isRestError(error) && error.statusCode === 404) return undefined;
          throw error;
        }
        return current && summary(current);
      });
    },

    getSecretValue(name) {
      return call('get secret', async () => {
        const secret = await client.getSecret(name, { requestOptions });
        if (secret.value === undefined) {
          throw new DependencyError('vault_rejected', 'key-vault', `Key Vault returned no value for secret "${name}"`, { retryable: false });
        }
        // From now on the value is scrubbed from every log line and telemetry item, wherever it turns up.
        registerSecret(secret.value);
        return secret.value;
      });
    },
  };
}
