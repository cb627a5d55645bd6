/**
 * Certificate rotation without a restart, against the identity emulator with the real
 * ClientCertificateCredential over HTTPS: while the app runs, the new certificate is uploaded to
 * the app registration, the file at AZURE_CLIENT_CERTIFICATE_PATH is rewritten and the old
 * certificate is retired. Each "next acquisition" is the background refresh of the cached token,
 * reached on virtual time.
 */
import assert from 'node:assert/strict';
import { renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CertificateStore } from '../../src/auth/certificate-store.js';
import { isTokenError, type TokenError } from '../../src/auth/errors.js';
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

  it('a 503 is not retried with a re-read certificate: only a rejected key earns the immediate retry', async () => {
    const [oldPem, newPem] = sameSizeBundles();
    const path = appFile('outage', oldPem);
    const mtimeSeconds = Math.floor(Date.now() / 1000) - 3600;
    utimesSync(path, mtimeSeconds, mtimeSeconds);
    const f = await startFixture({ kind: 'certificate', ca, certificate: first, certificatePath: path });
    try {
      uploadSecond(f);
      // A change only a forced re-read would find, so a retry would have a new certificate to send.
      writeFileSync(path, newPem);
      utimesSync(path, mtimeSeconds, mtimeSeconds);
      f.identity.script('entra', { kind: 'status', status: 503 });
      const error = (await rejectionOf(f.provider.getToken(vaultScope))) as TokenError;
      assert.equal(error.code, 'identity_platform_unavailable');
      assert.deepEqual(
        f.identity.tokenRequests('entra').map((request) => request.status),
        [503],
        'one request; the back-off owns the next',
      );
    } finally {
      await f.stop();
    }
  });
});

describe('which file changes the certificate store sees', () => {
  const now = Date.now();

  /** A store over a fresh copy of the first bundle, padded so the second can replace it at the same size, with an old modification time. */
  function storeOver(name: string): { store: CertificateStore; path: string; newPem: string; mtimeSeconds: number } {
    const [oldPem, newPem] = sameSizeBundles();
    const path = appFile(name, oldPem);
    const mtimeSeconds = Math.floor(now / 1000) - 3600;
    utimesSync(path, mtimeSeconds, mtimeSeconds);
    const store = CertificateStore.open(path, undefined, new Date(now));
    assert.equal(store.current(now).subject, 'CN=rotation-first');
    return { store, path, newPem, mtimeSeconds };
  }

  it('a rewrite in place at the same size is picked up by its new modification time', () => {
    const { store, path, newPem } = storeOver('same-size');
    const before = statSync(path);
    writeFileSync(path, newPem);
    const after = statSync(path);
    assert.deepEqual([after.ino, after.size], [before.ino, before.size]);
    assert.notEqual(after.mtimeMs, before.mtimeMs);
    assert.equal(store.current(now).subject, 'CN=rotation-second');
  });

  it('a rewrite in place that keeps the modification time (cp -p, rsync -t) is picked up by its new size', () => {
    const { store, path, newPem, mtimeSeconds } = storeOver('same-mtime');
    const before = statSync(path);
    writeFileSync(path, `${newPem}\n`);
    utimesSync(path, mtimeSeconds, mtimeSeconds);
    const after = statSync(path);
    assert.deepEqual([after.ino, after.mtimeMs], [before.ino, before.mtimeMs]);
    assert.notEqual(after.size, before.size);
    assert.equal(store.current(now).subject, 'CN=rotation-second');
  });

  it('a file renamed over it is picked up even with the old size and modification time: the inode is new', () => {
    const { store, path, newPem, mtimeSeconds } = storeOver('same-stamp');
    const before = statSync(path);
    writeFileSync(`${path}.new`, newPem);
    utimesSync(`${path}.new`, mtimeSeconds, mtimeSeconds);
    renameSync(`${path}.new`, path);
    const after = statSync(path);
    assert.deepEqual([after.size, after.mtimeMs], [before.size, before.mtimeMs]);
    assert.notEqual(after.ino, before.ino);
    assert.equal(store.current(now).subject, 'CN=rotation-second');
  });

  it('a file missing for a moment (deleted, then created) is no refusal: the certificate stays, and the new file is picked up', () => {
    const { store, path, newPem } = storeOver('missing');
    const held = store.current(now);
    unlinkSync(path);
    assert.equal(store.current(now), held);
    assert.equal(store.refusedChange, undefined, 'nothing was refused: there was nothing to read yet');
    writeFileSync(path, newPem);
    assert.equal(store.current(now).subject, 'CN=rotation-second');
  });

  it('a file missing when a rejection forces a re-read keeps the certificate, says why, and is picked up once it is back', () => {
    const { store, path, newPem } = storeOver('missing-on-reload');
    const held = store.current(now);
    unlinkSync(path);
    assert.equal(store.reloadNow(now), held);
    assert.equal(store.refusedChange?.setting, 'AZURE_CLIENT_CERTIFICATE_PATH');
    assert.match(store.refusedChange?.message ?? '', /cannot be read \(ENOENT\)/);
    writeFileSync(path, newPem);
    assert.equal(store.current(now).subject, 'CN=rotation-second');
    assert.equal(store.refusedChange, undefined);
  });
});
