/**
 * How a failed certificate-flow acquisition is classified from what crossed the wire: the status
 * and the AADSTS codes decide the error code, even when the platform's `error` field is missing;
 * only a 4xx naming the assertion's key lets a rotated certificate be tried.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyCertificateFailure, rejectedForItsKey } from '../../src/auth/certificate-errors.js';
import { TokenError, type TokenErrorCode } from '../../src/auth/errors.js';
import type { RecordedExchange } from '../../src/auth/recording-http-client.js';

const scope = 'https://vault.azure.net/.default';
const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const authority = 'https://login.example.test';

function tokenExchange(status: number | undefined, body: Record<string, unknown> = {}, retryAfter?: string): RecordedExchange {
  return {
    target: authority,
    url: `${authority}/tenant/oauth2/v2.0/token`,
    name: 'POST /tenant/oauth2/v2.0/token',
    durationMs: 5,
    status,
    success: status !== undefined && status < 400,
    requestId: 'request-1',
    clientRequestId: 'client-request-1',
    bodyText: JSON.stringify(body),
    retryAfter,
  };
}

function classify(exchanges: RecordedExchange[], error: unknown = new Error('msal failed')): TokenError {
  return classifyCertificateFailure({ error, exchanges, scope, signal: new AbortController().signal, now });
}

describe('classifyCertificateFailure: AADSTS codes alone decide', () => {
  const cases: { codes: number[]; code: TokenErrorCode }[] = [
    ...[700016, 700027, 7000215, 7000222, 700023, 700024, 50012, 7000112, 700025].map((c) => ({ codes: [c], code: 'invalid_client_credential' as const })),
    ...[70011, 500011, 650057].map((c) => ({ codes: [c], code: 'invalid_scope' as const })),
    { codes: [90002], code: 'token_request_rejected' },
    { codes: [], code: 'token_request_rejected' },
  ];
  for (const c of cases) {
    it(`400 with error_codes [${c.codes.join(', ')}] and no error field -> ${c.code}, not retryable`, () => {
      const error = classify([tokenExchange(400, { error_codes: c.codes })]);
      assert.equal(error.code, c.code);
      assert.equal(error.retryable, false);
      assert.equal(error.status, 400);
    });
  }

  it('the error field decides too: invalid_client, unauthorized_client, invalid_scope', () => {
    assert.equal(classify([tokenExchange(400, { error: 'invalid_client' })]).code, 'invalid_client_credential');
    assert.equal(classify([tokenExchange(400, { error: 'unauthorized_client' })]).code, 'invalid_client_credential');
    assert.equal(classify([tokenExchange(400, { error: 'invalid_scope' })]).code, 'invalid_scope');
    assert.equal(classify([tokenExchange(400, { error: 'invalid_request' })]).code, 'token_request_rejected');
  });
});

describe('classifyCertificateFailure: status', () => {
  const cases: { status: number; code: TokenErrorCode; retryable: boolean }[] = [
    { status: 429, code: 'throttled', retryable: true },
    { status: 500, code: 'identity_platform_unavailable', retryable: true },
    { status: 408, code: 'identity_platform_unavailable', retryable: true },
    // Only a 2xx is a success with an unusable body; a status below 200 is no success at all.
    { status: 199, code: 'token_request_rejected', retryable: false },
    { status: 200, code: 'identity_platform_unavailable', retryable: true },
    { status: 299, code: 'identity_platform_unavailable', retryable: true },
    { status: 300, code: 'token_request_rejected', retryable: false },
    { status: 499, code: 'token_request_rejected', retryable: false },
  ];
  for (const c of cases) {
    it(`HTTP ${c.status} -> ${c.code}`, () => {
      const error = classify([tokenExchange(c.status)]);
      assert.equal(error.code, c.code);
      assert.equal(error.retryable, c.retryable);
    });
  }

  it("carries the answer's ids, Retry-After and the client-request-id sent", () => {
    const error = classify([tokenExchange(429, { error_description: 'slow down', correlation_id: 'corr', trace_id: 'trace', error_codes: [50196] }, '7')]);
    assert.equal(error.retryAfterMs, 7_000);
    assert.equal(error.correlationId, 'corr');
    assert.equal(error.traceId, 'trace');
    assert.equal(error.requestId, 'request-1');
    assert.equal(error.clientRequestId, 'client-request-1');
    assert.deepEqual(error.errorCodes, [50196]);
    assert.equal(error.source, 'certificate');
    assert.equal(error.scope, scope);
    assert.match(error.message, /slow down/);
  });

  it('each message says what happened, with the description or else the status', () => {
    const cases: [RecordedExchange, string][] = [
      [tokenExchange(503), 'The identity platform answered HTTP 503: HTTP 503'],
      [tokenExchange(429, { error_description: 'slow down' }), 'The identity platform throttled this client (HTTP 429): slow down'],
      [tokenExchange(200, { access_token: '' }), 'The identity platform answered 200 with a body that could not be used.'],
      [tokenExchange(400, { error_codes: [70011] }), `The identity platform rejected the scope ${scope}: HTTP 400. Use '<resource>/.default' for a resource this app has permissions on.`],
      [
        tokenExchange(401, { error: 'invalid_client', error_description: 'AADSTS7000215' }),
        'The identity platform rejected the client credential: AADSTS7000215. Check AZURE_TENANT_ID, AZURE_CLIENT_ID and that this certificate is registered on the app and not expired.',
      ],
      [tokenExchange(400, { error: 'invalid_request' }), 'The identity platform rejected the token request (HTTP 400): HTTP 400'],
    ];
    for (const [exchange, message] of cases) assert.equal(classify([exchange]).message, message);
  });
});

describe('classifyCertificateFailure: no answer', () => {
  it('a refused connection to the token endpoint is identity_platform_unreachable, naming the host', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = classify([{ ...tokenExchange(undefined), error: refused }], refused);
    assert.equal(error.code, 'identity_platform_unreachable');
    assert.equal(error.retryable, true);
    assert.match(error.message, new RegExp(`${authority} could not be reached \\(ECONNREFUSED\\)`));
  });

  it('a network failure before any exchange names the authority host in general', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const error = classify([], reset);
    assert.equal(error.code, 'identity_platform_unreachable');
    assert.match(error.message, /the authority host could not be reached \(ECONNRESET\)/);
  });

  it('MSAL failing before sending (discovery 200s, no token request) is invalid_client_credential, not the platform', () => {
    const discovery = (clientRequestId: string): RecordedExchange => ({
      target: authority,
      url: `${authority}/tenant/v2.0/.well-known/openid-configuration`,
      name: 'GET /tenant/v2.0/.well-known/openid-configuration',
      durationMs: 3,
      status: 200,
      success: true,
      clientRequestId,
    });
    const cause = new Error('key too short');
    const error = classify([discovery('first'), discovery('second'), discovery('last')], cause);
    assert.equal(error.code, 'invalid_client_credential');
    assert.equal(error.retryable, false);
    assert.match(error.message, /no token request was sent\): key too short/);
    assert.deepEqual([error.source, error.scope, error.cause, error.clientRequestId], ['certificate', scope, cause, 'last']);
  });

  it('a token request with no answer and no network code: unreachable, as a network error', () => {
    const error = classify([tokenExchange(undefined)], new Error('something odd'));
    assert.equal(error.code, 'identity_platform_unreachable');
    assert.match(error.message, /could not be reached \(network error\)\./);
  });
});

describe('rejectedForItsKey (a rotated certificate may fix it)', () => {
  const cases: { status: number | undefined; codes: number[] | undefined; expected: boolean }[] = [
    ...[700027, 700024, 7000214, 1000502, 7000274, 7000277].map((code) => ({ status: 401, codes: [code], expected: true })),
    { status: 400, codes: [700027], expected: true },
    { status: 499, codes: [700027], expected: true },
    { status: 500, codes: [700027], expected: false },
    { status: 399, codes: [700027], expected: false },
    { status: undefined, codes: [700027], expected: false },
    { status: 401, codes: [700016], expected: false },
    { status: 401, codes: undefined, expected: false },
  ];
  for (const c of cases) {
    it(`status ${c.status}, codes ${JSON.stringify(c.codes)} -> ${c.expected}`, () => {
      const error = new TokenError('invalid_client_credential', 'rejected', { status: c.status, errorCodes: c.codes });
      assert.equal(rejectedForItsKey(error), c.expected);
    });
  }
});
