/**
 * The leak scan finds what it is for: one planted leak of each kind, in each place it can hide
 * (a log line, a telemetry item, a wire envelope in escaped JSON, an error's message, stack and
 * cause chain, an object dump), taken from real emulators; and a clean collection gives no hit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClientCertificate } from '../../src/sandbox/ca.js';
import { startFunctionsStack, type FunctionsStack } from '../support/functions-stack.js';
import { LeakScan } from './checks/leak-scan.js';

const vaultScope = 'https://vault.azure.net/.default';

describe('leak scan', () => {
  let stack: FunctionsStack;
  let certificate: ClientCertificate;
  let token: string;
  const secretValue = `kv-value-${crypto.randomUUID()}`;

  const scanner = (): LeakScan => new LeakScan().watchIdentity(stack.identity).watchVault(stack.vault).watchCertificate(certificate);

  before(async () => {
    stack = await startFunctionsStack();
    // Quotes and a backslash: JSON escapes them, so only the escaped search finds this one on the wire.
    certificate = stack.ca.makeClientCertificate('scanned', { password: `pa"ss\\word-${crypto.randomUUID().slice(0, 8)}` });
    stack.vault.setSecret('db-password', secretValue);
    token = (await stack.provider.getToken(vaultScope)).token;
  });

  after(async () => {
    await stack?.stop();
  });

  it('knows every secret the section handed out, read at scan time', () => {
    const labels = scanner().secrets().map((s) => s.label);
    assert.ok(labels.includes('IDENTITY_HEADER') && labels.includes('issued token 1') && labels.includes('Key Vault secret value 1'));
    assert.ok(labels.includes('client certificate password') && labels.some((l) => l.startsWith('client certificate private key line')));
  });

  it('finds an issued token in a log line', () => {
    const leaks = scanner();
    leaks.logHandler('information', 'acquired', { header: `Bearer ${token}` });
    assert.deepEqual(leaks.scan().hits, ['issued token 1 in log (information)']);
  });

  it('finds a Key Vault value in a telemetry item', () => {
    const leaks = scanner();
    leaks.addTelemetry([{ kind: 'event', name: 'x', properties: { detail: `value was ${secretValue}` } }]);
    assert.deepEqual(leaks.scan().hits, ['Key Vault secret value 1 in telemetry item']);
  });

  it('finds the certificate password in escaped form inside a wire envelope', () => {
    const leaks = scanner();
    leaks.addEnvelopes([{ data: { baseData: { message: `decrypting with ${certificate.password ?? ''}` } } }]);
    assert.deepEqual(leaks.scan().hits, ['client certificate password (escaped) in telemetry envelope']);
  });

  it('finds a line of the private key in an error message and its stack', () => {
    const keyLine = certificate.keyPem.split('\n')[3] ?? '';
    const leaks = scanner();
    leaks.addError('row', new Error(`bad key near ${keyLine}`));
    const hits = leaks.scan().hits;
    assert.ok(hits.length >= 3 && hits.every((h) => h.startsWith('client certificate private key line 3 in row')), hits.join('\n'));
  });

  it('finds IDENTITY_HEADER two causes down an error chain', () => {
    const leaks = scanner();
    const root = new Error(`header was ${stack.identity.identityHeader}`);
    leaks.addError('row', new Error('outer', { cause: new Error('middle', { cause: root }) }));
    const hits = leaks.scan().hits;
    assert.ok(hits.includes('IDENTITY_HEADER in row cause 2 message'), hits.join('\n'));
  });

  it('finds a token held in an object, whichever way it is dumped', () => {
    const leaks = scanner();
    leaks.addObject('client', { name: 'client', cached: { token } });
    assert.deepEqual(leaks.scan().hits, ['client inspect', 'client context.log', 'client %o', 'client JSON'].map((where) => `issued token 1 in ${where}`));
  });

  it('a clean collection has no hit and passes the check; an empty one fails it', () => {
    const leaks = scanner();
    leaks.logHandler('information', 'Queue message 123 rejected (not_json)');
    leaks.addObject('provider', stack.provider);
    leaks.addError('row', new Error('wrapped', { cause: new Error('inner') }));
    assert.equal(leaks.check().ok, true, leaks.check().detail);
    assert.equal(new LeakScan().watchIdentity(stack.identity).check().ok, false, 'nothing collected proves nothing');
  });
});
