import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { REDACTED, redactError, redactProperties, redactText, registerSecret } from '../../src/telemetry/redact.js';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';
// Key material is made at run time: nothing key-shaped is committed.
const PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PEM_BODY_LINE = PEM.split('\n')[1] ?? '';
const CERT_FRAGMENT = randomBytes(15).toString('base64');

describe('redactText', () => {
  const cases: Array<{ rule: string; input: string; secret: string; keeps?: string }> = [
    { rule: 'a JWT anywhere in a message', input: `token ${JWT} rejected`, secret: JWT, keeps: 'rejected' },
    { rule: 'a JWT fragment cut at the payload', input: `got eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0`, secret: 'eyJzdWIiOiJ4In0' },
    { rule: 'a bearer token', input: 'Authorization: Bearer opaque-token-123', secret: 'opaque-token-123' },
    { rule: 'client_assertion in a form body', input: 'grant_type=client_credentials&client_assertion=abc.def.ghi&client_id=x', secret: 'abc.def.ghi', keeps: 'client_id=x' },
    { rule: 'client_secret in JSON', input: '{"client_secret":"s3cr3t-value","scope":"x"}', secret: 's3cr3t-value', keeps: '"scope":"x"' },
    { rule: 'access_token in a response body', input: '{"access_token":"opaque-abcdef","expires_in":3599}', secret: 'opaque-abcdef', keeps: 'expires_in' },
    { rule: 'a password assignment', input: 'password=hunter2 failed', secret: 'hunter2', keeps: 'failed' },
    { rule: 'the identity header', input: 'x-identity-header: 6f1c0a', secret: '6f1c0a' },
    { rule: 'a PEM private key block', input: `key:\n${PEM}\nend`, secret: PEM_BODY_LINE, keeps: 'end' },
    { rule: 'a PEM block cut before its END line', input: `-----BEGIN CERTIFICATE-----\n${CERT_FRAGMENT}`, secret: CERT_FRAGMENT },
    { rule: 'a SAS signature', input: 'https://a.blob.core.windows.net/c?sv=1&sig=abcDEF%3D', secret: 'abcDEF%3D' },
  ];
  for (const { rule, input, secret, keeps } of cases) {
    it(`removes ${rule}`, () => {
      const output = redactText(input);
      assert.ok(!output.includes(secret), output);
      if (keeps !== undefined) assert.ok(output.includes(keeps), output);
    });
  }

  it('leaves ordinary diagnostics alone: hosts, AADSTS codes, ids, scopes', () => {
    const message = 'AADSTS7000215: Invalid client secret. Trace ID: 0b2c Correlation ID: 5f1e at https://login.microsoftonline.com/tenant/oauth2/v2.0/token for https://vault.azure.net/.default';
    assert.equal(redactText(message), message);
  });

  it('replaces registered secret values wherever they appear, longest first', () => {
    registerSecret('header-value-1234');
    registerSecret('header-value-1234-and-more');
    assert.equal(redactText('a header-value-1234-and-more b header-value-1234 c'), `a ${REDACTED} b ${REDACTED} c`);
  });

  it('ignores registered values too short to be secrets (they would shred words)', () => {
    registerSecret('abc');
    registerSecret(undefined);
    assert.equal(redactText('abc abcdef'), 'abc abcdef');
  });
});

describe('redactProperties', () => {
  it('redacts string values and blanks properties named like secrets', () => {
    const result = redactProperties({ note: `saw ${JWT}`, password: 'plain', token: 'x', count: 3, ok: true, missing: undefined });
    assert.deepEqual(result, { note: `saw ${REDACTED}`, password: REDACTED, token: REDACTED, count: 3, ok: true });
  });
});

describe('redactError', () => {
  it('redacts the message, the stack and every cause, without touching the original', () => {
    const root = new Error(`body: {"access_token":"opaque-xyz-123"}`);
    const middle = new Error(`Bearer ${JWT}`, { cause: root });
    const error = new Error(`failed with client_assertion=${JWT}`, { cause: middle });
    const facts = redactError(error);
    const all = JSON.stringify(facts);
    assert.ok(!all.includes(JWT) && !all.includes('opaque-xyz-123'), all);
    assert.match(facts.causeChain ?? '', /^Error: Bearer \[REDACTED\] <- Error: body:/);
    assert.ok(error.message.includes(JWT), 'the original error is not modified');
  });

  it('stops at a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    assert.equal(redactError(b).causeChain, 'Error: a');
  });

  it('describes non-Error throwables', () => {
    assert.equal(redactError({ password: 'p4ssw0rd!' }).message, `{"password":"${REDACTED}"}`);
  });
});
