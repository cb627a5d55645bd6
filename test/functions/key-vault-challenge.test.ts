/**
 * Which vault hosts the SecretClient will send a token to, and KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION
 * for those it will not. The SDK (keyvault-common) accepts a host only under the domain of the
 * resource that the vault's 401 challenge names: sovereign clouds pass as they are, a sandbox, a
 * private-link name or a proxy does not. Checked with the real SecretClient against the Key Vault
 * emulator over HTTPS, and against scripted answers for hosts that cannot run here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createHttpHeaders, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import { isDependencyError } from '../../src/clients/errors.js';
import { createKeyVault } from '../../src/clients/key-vault.js';
import { startFunctionsStack, type FunctionsStack } from '../support/functions-stack.js';
import { VirtualClock } from '../support/virtual-clock.js';

const clock = new VirtualClock(Date.parse('2030-01-01T00:00:00Z'));

/** A vault that answers like Key Vault in `cloudResource`'s cloud: a 401 challenge, then the secret. */
function scriptedVault(cloudResource: string): { httpClient: HttpClient; hosts: string[] } {
  const hosts: string[] = [];
  const httpClient: HttpClient = {
    sendRequest: (request: PipelineRequest) => {
      const url = new URL(request.url);
      hosts.push(url.hostname);
      if (!request.headers.has('authorization')) {
        const challenge = `Bearer authorization="https://login.example/00000000-0000-0000-0000-000000000000", resource="${cloudResource}"`;
        return Promise.resolve({ request, status: 401, headers: createHttpHeaders({ 'www-authenticate': challenge }), bodyAsText: '{"error":{"code":"Unauthorized"}}' });
      }
      const body = JSON.stringify({ value: 'the-value', id: `${url.origin}/secrets/signing/0123456789abcdef0123456789abcdef`, attributes: { enabled: true } });
      return Promise.resolve({ request, status: 200, headers: createHttpHeaders({ 'content-type': 'application/json' }), bodyAsText: body });
    },
  };
  return { httpClient, hosts };
}

function recordingCredential(): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    getToken: (requested: string | string[]): Promise<AccessToken> => {
      scopes.push(...[requested].flat());
      return Promise.resolve({ token: 'scripted-token', expiresOnTimestamp: clock.now() + 3_600_000 });
    },
  };
}

describe('Key Vault challenge resource verification', () => {
  const cases: { host: string; resource: string; passesByDefault: boolean; what: string }[] = [
    { what: 'public cloud', host: 'myvault.vault.azure.net', resource: 'https://vault.azure.net', passesByDefault: true },
    { what: 'Azure China', host: 'myvault.vault.azure.cn', resource: 'https://vault.azure.cn', passesByDefault: true },
    { what: 'Azure US Government', host: 'myvault.vault.usgovcloudapi.net', resource: 'https://vault.usgovcloudapi.net', passesByDefault: true },
    { what: 'a private-link name used as the URL', host: 'myvault.privatelink.vaultcore.azure.net', resource: 'https://vault.azure.net', passesByDefault: false },
    { what: 'a proxy or custom name in front of a vault', host: 'secrets.contoso.internal', resource: 'https://vault.azure.net', passesByDefault: false },
  ];

  for (const { what, host, resource, passesByDefault } of cases) {
    it(`${what} (${host}, challenge resource ${resource}): ${passesByDefault ? 'accepted as it is' : 'refused unless the setting is on'}`, async () => {
      for (const disable of [undefined, true]) {
        const { httpClient } = scriptedVault(resource);
        const credential = recordingCredential();
        const vault = createKeyVault({ vaultUrl: `https://${host}`, credential, clock, disableChallengeResourceVerification: disable, clientOptions: { httpClient } });
        if (passesByDefault || disable === true) {
          assert.equal(await vault.getSecretValue('signing'), 'the-value');
          assert.deepEqual(credential.scopes, [`${resource}/.default`]);
        } else {
          await assert.rejects(
            vault.getSecretValue('signing'),
            (error) => isDependencyError(error) && error.code === 'vault_rejected' && !error.retryable && /names\. A sandbox, a private-link name or a proxy needs KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION=true/.test(error.message),
          );
          assert.deepEqual(credential.scopes, [], 'no token is even asked for');
        }
      }
    });
  }
});

describe('a local vault (the emulator on 127.0.0.1) and the real SecretClient', () => {
  let stack: FunctionsStack;

  before(async () => {
    stack = await startFunctionsStack();
    stack.vault.setSecret('signing', 'local-value');
  });
  after(() => stack.stop());

  it('is refused by default with a configuration error that names the setting, and no token reaches it', async () => {
    const vault = createKeyVault({ vaultUrl: stack.vault.vaultUrl, credential: stack.provider.credential, clock, clientOptions: stack.keyVaultTls });
    const error = await vault.getSecretValue('signing').then(
      () => assert.fail('the SDK refuses 127.0.0.1 for a vault.azure.net challenge'),
      (caught: unknown) => caught,
    );
    assert.ok(isDependencyError(error) && error.code === 'vault_rejected' && !error.retryable, String(error));
    assert.match(error.message, /KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION=true/);
    assert.match(error.message, /127\.0\.0\.1/);
    assert.equal(stack.vault.requests.filter((r) => r.auth !== 'none').length, 0, 'only the unauthenticated probe was sent');
  });

  it('is read once the setting turns the check off', async () => {
    const vault = createKeyVault({ vaultUrl: stack.vault.vaultUrl, credential: stack.provider.credential, clock, disableChallengeResourceVerification: true, clientOptions: stack.keyVaultTls });
    assert.equal(await vault.getSecretValue('signing'), 'local-value');
  });
});
