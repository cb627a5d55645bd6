/**
 * Reading the identity platform's answers without trusting them: a token body is usable only with
 * an access token and an expiry in the future; an error body yields the ids a support engineer
 * needs, from Entra's and App Service's shapes alike; platform text is cut short and scrubbed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonObject, readErrorBody, readTokenBody, safeDescription } from '../../src/auth/platform-response.js';

const receivedAt = Date.UTC(2026, 10, 22, 12, 0, 0);
const hour = 3_600_000;

describe('parseJsonObject', () => {
  const cases: [string, Record<string, unknown> | undefined][] = [
    ['{"a":1}', { a: 1 }],
    ['[1,2]', undefined],
    ['null', undefined],
    ['"text"', undefined],
    ['<html>', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`${text} -> ${JSON.stringify(expected)}`, () => assert.deepEqual(parseJsonObject(text), expected));
  }
});

describe('readTokenBody (a usable token, or why not)', () => {
  const cases: { name: string; body: Record<string, unknown> | undefined; expected: ReturnType<typeof readTokenBody> }[] = [
    { name: 'no body', body: undefined, expected: 'the body is not a JSON object' },
    { name: 'no access_token', body: { expires_in: 3600 }, expected: 'the body has no access_token' },
    { name: 'an empty access_token', body: { access_token: '', expires_in: 3600 }, expected: 'the body has no access_token' },
    { name: 'no expiry', body: { access_token: 't' }, expected: 'the body has neither expires_in nor expires_on' },
    { name: 'an expiry that has passed', body: { access_token: 't', expires_in: 0 }, expected: 'the token is already expired (check the clocks)' },
    {
      name: 'expires_in as a number, refresh_in as a numeric string',
      body: { access_token: 't', expires_in: 3600, refresh_in: '1800' },
      expected: { accessToken: 't', receivedAt, expiresOnTimestamp: receivedAt + hour, serverRefreshAt: receivedAt + hour / 2 },
    },
    {
      name: 'expires_in as a numeric string with spaces (App Service sends strings)',
      body: { access_token: 't', expires_in: ' 3600 ' },
      expected: { accessToken: 't', receivedAt, expiresOnTimestamp: receivedAt + hour, serverRefreshAt: undefined },
    },
    {
      name: 'expires_on as epoch seconds in a string',
      body: { access_token: 't', expires_on: String((receivedAt + hour) / 1000) },
      expected: { accessToken: 't', receivedAt, expiresOnTimestamp: receivedAt + hour, serverRefreshAt: undefined },
    },
    {
      name: 'expires_on as a date string (older App Service versions)',
      body: { access_token: 't', expires_on: new Date(receivedAt + hour).toUTCString() },
      expected: { accessToken: 't', receivedAt, expiresOnTimestamp: receivedAt + hour, serverRefreshAt: undefined },
    },
    { name: 'expires_on that is neither a number nor a date', body: { access_token: 't', expires_on: 'soon' }, expected: 'the body has neither expires_in nor expires_on' },
    { name: 'expires_on of another type', body: { access_token: 't', expires_on: true }, expected: 'the body has neither expires_in nor expires_on' },
    { name: 'expires_on as a list holding a date', body: { access_token: 't', expires_on: [new Date(receivedAt + hour).toUTCString()] }, expected: 'the body has neither expires_in nor expires_on' },
    { name: 'expires_in that is not a number', body: { access_token: 't', expires_in: '1h' }, expected: 'the body has neither expires_in nor expires_on' },
    { name: 'expires_in that is not finite', body: { access_token: 't', expires_in: Infinity }, expected: 'the body has neither expires_in nor expires_on' },
    {
      name: 'a numeric string may carry a fraction of any length',
      body: { access_token: 't', expires_in: '3600', refresh_in: '1800.25' },
      expected: { accessToken: 't', receivedAt, expiresOnTimestamp: receivedAt + hour, serverRefreshAt: receivedAt + 1_800_250 },
    },
    {
      // Only digits make a number: with a sign it is unusable, so expires_on alone gives the expiry.
      name: 'expires_in with a sign is no lifetime; expires_on still counts',
      body: { access_token: 't', expires_in: '-60', expires_on: (receivedAt + hour) / 1000 },
      expected: { accessToken: 't', receivedAt, expiresOnTimestamp: receivedAt + hour, serverRefreshAt: undefined },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(readTokenBody(c.body, receivedAt), c.expected));
  }
});

describe('readErrorBody (Entra and App Service shapes)', () => {
  it('Entra: error, error_description, error_codes, trace_id, correlation_id', () => {
    const body = { error: 'invalid_client', error_description: 'AADSTS700027: bad assertion', error_codes: [700027, 'x'], trace_id: 'trace-1', correlation_id: 'corr-1' };
    assert.deepEqual(readErrorBody(body), { error: 'invalid_client', description: 'AADSTS700027: bad assertion', errorCodes: [700027], traceId: 'trace-1', correlationId: 'corr-1' });
  });

  it('App Service: message, correlationId, traceId', () => {
    assert.deepEqual(readErrorBody({ message: 'identity not found', correlationId: 'corr-2', traceId: 'trace-2' }), {
      error: undefined,
      description: 'identity not found',
      errorCodes: undefined,
      traceId: 'trace-2',
      correlationId: 'corr-2',
    });
  });

  it('a nested error object: its code and message', () => {
    assert.deepEqual(readErrorBody({ error: { code: 'IdentityNotFound', message: 'no such identity' } }), {
      error: 'IdentityNotFound',
      description: 'no such identity',
      errorCodes: undefined,
      traceId: undefined,
      correlationId: undefined,
    });
  });

  it('error: null, empty strings and an empty code list carry nothing', () => {
    assert.deepEqual(readErrorBody({ error: null, error_description: '', error_codes: [] }), {
      error: undefined,
      description: undefined,
      errorCodes: undefined,
      traceId: undefined,
      correlationId: undefined,
    });
  });

  it('no body: no fields', () => assert.deepEqual(readErrorBody(undefined), {}));
});

describe('safeDescription', () => {
  it('keeps short text as it is', () => assert.equal(safeDescription('identity not found'), 'identity not found'));
  it('nothing stays nothing', () => assert.equal(safeDescription(''), undefined));
  it('cuts long text at the limit and marks the cut', () => assert.equal(safeDescription('abcdef', 4), 'abcd…'));
  it('text exactly at the limit is not cut', () => assert.equal(safeDescription('abcd', 4), 'abcd'));
  it('replaces anything token-shaped', () => assert.equal(safeDescription('got eyJhbGciOi.eyJzdWIi.c2ln here'), 'got [redacted-jwt] here'));
});
