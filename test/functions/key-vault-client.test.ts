import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { systemClock } from '../../src/auth/clock.js';
import { randomBytes } from 'node:crypto';
import { describeFailure, isDependencyError } from '../../src/clients/errors.js';
import { redactText } from '../../src/telemetry/redact.js';
import { propertiesOfError } from '../../src/telemetry/token-event-mapping.js';
import { createKeyVault } from '../../src/clients/key-vault.js';
import type { SecretVault } from '../../src/clients/vault.js';
import { startFunctionsStack, type FunctionsStack } from '../support/functions-stack.js';
import { VirtualClock } from '../support/virtual-clock.js';

describe('Key Vault adapter: the real SecretClient on the shared credential, against the emulator', () => {
  let stack: FunctionsStack;
  let vault: SecretVault;
  const clock = new VirtualClock(Date.parse('2030-01-01T00:00:00Z'));

  before(async () => {
    stack = await startFunctionsStack();
    for (let i = 0; i < 60; i++) stack.vault.setSecret(`secret-${String(i).padStart(3, '0')}`, `value-${i}`, { tags: { owner: 'team-a' } });
    stack.vault.setSecret('rotated', 'old-key');
    stack.vault.setSecret('rotated', 'new-key');
  });
  after(() => stack.stop());
  beforeEach(() => {
    stack.vault.reset();
    vault = createKeyVault({ vaultUrl: stack.vault.vaultUrl, credential: stack.provider.credential, clock, clientOptions: stack.keyVaultClientOptions });
  });

  it('answers the bearer challenge with a token the identity emulator issued, and lists every page', async () => {
    const names: string[] = [];
    for await (const secret of vault.listSecrets()) names.push(secret.name);
    assert.equal(names.length, 61);
    assert.equal(stack.vault.requests[0]?.auth, 'none', 'the first request is the challenge probe');
    assert.equal(stack.vault.requests[0]?.status, 401);
    const lists = stack.vault.requests.filter((r) => r.operation === 'list' && r.auth === 'valid');
    assert.equal(lists.length, 3, '61 secrets at 25 per page');
    assert.equal(lists[0]?.query.maxresults, '25');
    assert.ok(stack.identity.issuedTokens.some((t) => t.audience.startsWith('https://vault.azure.net')));
  });

  it('resolves the current version as the most recently created one, and reads values only on request', async () => {
    const current = await vault.currentVersion('rotated');
    assert.ok(current?.version);
    assert.equal(await vault.getSecretValue('rotated'), 'new-key');
    assert.equal(await vault.currentVersion('no-such-secret'), undefined);
    assert.equal(stack.vault.count('get'), 1);
  });

  it('a 429 closes the gate until Retry-After passes, for every caller, without another request', async () => {
    stack.vault.script({ kind: 'status', status: 429, retryAfter: '7', only: 'get' });
    await assert.rejects(vault.getSecretValue('rotated'), (error) => isDependencyError(error) && error.code === 'vault_throttled' && error.retryAfterMs === 7_000);
    const before = stack.vault.requests.length;
    clock.advance(6_999);
    await assert.rejects(vault.getSecretValue('rotated'), (error) => isDependencyError(error) && error.code === 'vault_throttled' && error.retryAfterMs === 1);
    assert.equal(stack.vault.requests.length, before, 'no request while the gate is closed');
    clock.advance(1);
    assert.equal(await vault.getSecretValue('rotated'), 'new-key');
  });

  it('a 5xx is a retryable vault_unavailable and the SDK does not retry it behind our back', async () => {
    stack.vault.script({ kind: 'status', status: 503, only: 'get' });
    await assert.rejects(vault.getSecretValue('rotated'), (error) => isDependencyError(error) && error.code === 'vault_unavailable' && error.retryable && error.status === 503);
    assert.equal(stack.vault.requests.filter((r) => r.operation === 'get' && r.auth === 'valid').length, 1);
  });

  it('a 5xx without Retry-After closes the gate for at least 5 s, for every caller, without another request', async () => {
    stack.vault.script({ kind: 'status', status: 500, only: 'get' });
    let waitMs = 0;
    await assert.rejects(vault.getSecretValue('rotated'), (error) => isDependencyError(error) && error.code === 'vault_unavailable' && (waitMs = error.retryAfterMs ?? 0) >= 5_000);
    const before = stack.vault.requests.length;
    clock.advance(waitMs - 1);
    await assert.rejects(vault.currentVersion('rotated'), (error) => isDependencyError(error) && error.code === 'vault_unavailable' && error.retryAfterMs === 1);
    assert.equal(stack.vault.requests.length, before, 'no request while the gate is closed');
    clock.advance(1);
    assert.equal(await vault.getSecretValue('rotated'), 'new-key');
  });

  it('a malformed answer to a get-secret call never carries the secret value into the error, its causes or telemetry', async () => {
    const value = `leak-canary-${randomBytes(24).toString('hex')}`;
    stack.vault.setSecret('leaky', value);
    stack.vault.script({ kind: 'truncated', only: 'get' });
    const error = await vault.getSecretValue('leaky').then(
      () => assert.fail('a truncated answer cannot be read'),
      (caught: unknown) => caught,
    );
    assert.ok(isDependencyError(error) && error.retryable);
    const chain: string[] = [];
    for (let current: unknown = error; current instanceof Error; current = current.cause) chain.push(`${current.name} ${current.message} ${current.stack ?? ''}`);
    const everything = [JSON.stringify(describeFailure(error)), JSON.stringify(propertiesOfError(error, undefined)), ...chain].join('\n');
    // Any 16-character slice of the value would be a leak.
    for (let i = 0; i + 16 <= value.length; i += 8) assert.ok(!everything.includes(value.slice(i, i + 16)), 'no part of the value in the error');
    // Once read, the value is registered for redaction wherever it might turn up (after the broken answer's back-off).
    clock.advance(isDependencyError(error) ? (error.retryAfterMs ?? 0) : 0);
    assert.equal(await vault.getSecretValue('leaky'), value);
    assert.ok(!redactText(`verifying with ${value}`).includes(value));
  });

  it('a 404 is not retryable', async () => {
    await assert.rejects(vault.getSecretValue('missing'), (error) => isDependencyError(error) && error.code === 'vault_rejected' && !error.retryable && error.status === 404);
  });

  it('a token the identity emulator did not issue is refused by the emulator', async () => {
    const forged = createKeyVault({
      vaultUrl: stack.vault.vaultUrl,
      credential: { getToken: () => Promise.resolve({ token: 'forged', expiresOnTimestamp: systemClock.now() + 3_600_000 }) },
      clock,
      clientOptions: stack.keyVaultClientOptions,
    });
    await assert.rejects(forged.getSecretValue('rotated'), (error) => isDependencyError(error) && error.status === 401);
    assert.ok(stack.vault.requests.some((r) => r.auth === 'invalid'));
  });
});
