/**
 * Certificate rotation without a restart, against the identity emulator with the real
 * ClientCertificateCredential over HTTPS: while the app runs, the new certificate is uploaded to
 * the app registration, the file at AZURE_CLIENT_CERTIFICATE_PATH is rewritten and the old
 * certificate is retired. Each "next acquisition" is the background refresh of the cached token,
 * reached on virtual time.
 */
import assert from 'node:assert/strict';
import { renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CertificateStore } from '../../src/auth/certificate-store.js';
import { isTokenError } from '../../src/auth/errors.js';
import type { RecordedRequest } from '../../src/sandbox/identity/index.js';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { clientId, rejectionOf, sqlScope, startFixture, tenantId, vaultScope, type Fixture } from './provider-fixture.js';

let ca: TestCa;
let first: ClientCertificate;
let second: ClientCertificate;

before(() => {
  ca = createTestCa();
  first = ca.makeClientCertificate('rotation-first');
  second = ca.makeClientCertificate('rotation-second');
});
after(() => ca.cleanup());

/** Both PEM files padded with trailing newlines to one length, so a rewrite can keep the size. */
function sameSizeBundles(): [string, string] {
  const [a, b] = [first.keyPem + first.certPem, second.keyPem + second.certPem];
  const size = Math.max(a.length, b.length);
  return [a.padEnd(size, '\n'), b.padEnd(size, '\n')];
}

/** The file the app reads: a copy this test may rewrite. */
function appFile(name: string, content: string): string {
  const path = join(ca.dir, `${name}.app.pem`);
  writeFileSync(path, content);
  return path;
}

/** Which certificate signed each token request, and what Entra answered. */
function signedAndAnswered(f: Fixture): [string | undefined, number | undefined][] {
  return f.identity.tokenRequests('entra').map((request: RecordedRequest) => [request.assertion?.thumbprint, request.status]);
}

/** Runs virtual time to the background refresh of the cached vault token; asserts it brought a new token. */
async function refreshOnce(f: Fixture): Promise<void> {
  const cached = await f.provider.getToken(vaultScope);
  await f.clock.advance(cached.refreshAfterTimestamp - f.clock.now());
  const served = await f.provider.getToken(vaultScope);
  assert.notEqual(served.token, cached.token, 'the refresh brought a new token');
  assert.ok(f.identity.wasIssued(served.token));
}

function storeOf(f: Fixture): CertificateStore {
  const store = f.credential.kind === 'certificate' ? f.credential.certificate.certificate : undefined;
  assert.ok(store instanceof CertificateStore);
  return store;
}

function uploadSecond(f: Fixture): void {
  f.identity.registerClient({ tenantId, clientId, certPem: second.certPem });
}

function retire(f: Fixture, certificate: ClientCertificate): void {
  assert.ok(f.identity.unregisterCertificate({ tenantId, clientId, certPem: certificate.certPem }));
}

describe('certificate rotation', () => {
  it('a certificate file replaced on disk is used by the next acquisition, without a restart', async () => {
    const path = appFile('replaced', first.keyPem + first.certPem);
    const f = await startFixture({ kind: 'certificate', ca, certificate: first, certificatePath: path });
    try {
      await f.provider.getToken(vaultScope);
      uploadSecond(f);
      // Deployed the usual way: written next to it, then renamed over it.
      writeFileSync(`${path}.new`, second.keyPem + second.certPem);
      renameSync(`${path}.new`, path);
      retire(f, first);

      await refreshOnce(f);
      assert.deepEqual(signedAndAnswered(f), [[first.x5tS256, 200], [second.x5tS256, 200]], 'no request signed with the retired certificate');
      assert.equal(f.eventsOf('refresh-failed').length, 0);
    } finally {
      await f.stop();
    }
  });

  it('a half-written file never replaces a good certificate; once complete, it does', async () => {
    const path = appFile('half-written', first.keyPem + first.certPem);
    const f = await startFixture({ kind: 'certificate', ca, certificate: first, certificatePath: path });
    try {
      await f.provider.getToken(vaultScope);
      uploadSecond(f);
      // Rewritten in place and caught half-way: the key is there, the certificate is cut off.
      const complete = second.keyPem + second.certPem;
      writeFileSync(path, complete.slice(0, second.keyPem.length + 200));
      await refreshOnce(f); // the app keeps working on the good certificate
      const store = storeOf(f);
      assert.equal(store.refusedChange?.setting, 'AZURE_CLIENT_CERTIFICATE_PATH');
      assert.match(store.refusedChange?.message ?? '', /no PEM block with a certificate/);
      assert.ok(!/PRIVATE KEY|CERTIFICATE-----/.test(JSON.stringify(store.refusedChange)), 'no PEM in the refusal');

      writeFileSync(path, complete);
      retire(f, first);
      await refreshOnce(f);
      assert.equal(store.refusedChange, undefined);
      assert.deepEqual(signedAndAnswered(f), [[first.x5tS256, 200], [first.x5tS256, 200], [second.x5tS256, 200]]);
      assert.equal(f.eventsOf('refresh-failed').length, 0);
    } finally {
      await f.stop();
    }
  });

  it('a change invisible to the file signature is picked up when Entra rejects the assertion (AADSTS700027), with one immediate retry', async () => {
    const [oldPem, newPem] = sameSizeBundles();
    const path = appFile('invisible', oldPem);
    const mtimeSeconds = Math.floor(Date.now() / 1000) - 3600;
    utimesSync(path, mtimeSeconds, mtimeSeconds);
    const f = await startFixture({ kind: 'certificate', ca, certificate: first, certificatePath: path });
    try {
      await f.provider.getToken(vaultScope);
      uploadSecond(f);
      const seen = statSync(path);
      // In place (same inode), same size, and the old modification time put back.
      writeFileSync(path, newPem);
      utimesSync(path, mtimeSeconds, mtimeSeconds);
      const now = statSync(path);
      assert.deepEqual([now.ino, now.size, now.mtimeMs], [seen.ino, seen.size, seen.mtimeMs], 'the change is invisible to stat');
      retire(f, first);

      await refreshOnce(f);
      assert.deepEqual(signedAndAnswered(f), [[first.x5tS256, 200], [first.x5tS256, 401], [second.x5tS256, 200]]);
      const [rejected, retried] = f.identity.tokenRequests('entra').slice(-2);
      assert.equal(rejected?.error, 'invalid_client');
      assert.equal(retried?.time, rejected?.time, 'the retry is sent at once, not after a back-off');
      assert.equal(f.eventsOf('refresh-failed').length, 0);

      // With the file unchanged, a reload finds the same certificate: the same assertion can only
      // fail the same way, so it is not sent again.
      retire(f, second);
      const error = await rejectionOf(f.provider.getToken(sqlScope));
      assert.ok(isTokenError(error));
      assert.equal(error.code, 'invalid_client_credential');
      assert.deepEqual(error.errorCodes, [700027]);
      assert.equal(f.identity.tokenRequests('entra').length, 4, 'one request, no retry');
    } finally {
      await f.stop();
    }
  });
});
