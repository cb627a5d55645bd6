/**
 * Certificate rotation without a restart, against the identity emulator with the real
 * ClientCertificateCredential over HTTPS: while the app runs, the new certificate is uploaded to
 * the app registration, the file at AZURE_CLIENT_CERTIFICATE_PATH is rewritten and the old
 * certificate is retired. Each "next acquisition" is the background refresh of the cached token,
 * reached on virtual time.
 */
import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CertificateStore } from '../../src/auth/certificate-store.js';
import type { RecordedRequest } from '../emulators/identity/index.js';
import { createTestCa, type ClientCertificate, type TestCa } from '../support/test-ca.js';
import { clientId, startFixture, tenantId, vaultScope, type Fixture } from './provider-fixture.js';

let ca: TestCa;
let first: ClientCertificate;
let second: ClientCertificate;

before(() => {
  ca = createTestCa();
  first = ca.makeClientCertificate('rotation-first');
  second = ca.makeClientCertificate('rotation-second');
});
after(() => ca.cleanup());

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

/** Runs virtual time to the background refresh of the cached vault token, and returns the token served after it. */
async function refreshOnce(f: Fixture): Promise<string> {
  const cached = await f.provider.getToken(vaultScope);
  await f.clock.advance(cached.refreshAfterTimestamp - f.clock.now());
  return (await f.provider.getToken(vaultScope)).token;
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
      const old = (await f.provider.getToken(vaultScope)).token;
      uploadSecond(f);
      // Deployed the usual way: written next to it, then renamed over it.
      writeFileSync(`${path}.new`, second.keyPem + second.certPem);
      renameSync(`${path}.new`, path);
      retire(f, first);

      const renewed = await refreshOnce(f);
      assert.notEqual(renewed, old);
      assert.ok(f.identity.wasIssued(renewed));
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
      assert.ok(f.identity.wasIssued(await refreshOnce(f)), 'the app keeps working on the good certificate');
      const store = storeOf(f);
      assert.equal(store.refusedChange?.setting, 'AZURE_CLIENT_CERTIFICATE_PATH');
      assert.match(store.refusedChange?.message ?? '', /no PEM block with a certificate/);
      assert.ok(!/PRIVATE KEY|CERTIFICATE-----/.test(JSON.stringify(store.refusedChange)), 'no PEM in the refusal');

      writeFileSync(path, complete);
      retire(f, first);
      assert.ok(f.identity.wasIssued(await refreshOnce(f)));
      assert.equal(store.refusedChange, undefined);
      assert.deepEqual(signedAndAnswered(f), [[first.x5tS256, 200], [first.x5tS256, 200], [second.x5tS256, 200]]);
      assert.equal(f.eventsOf('refresh-failed').length, 0);
    } finally {
      await f.stop();
    }
  });
});
