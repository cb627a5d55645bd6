/**
 * The managed-identity protocol request and answer table, through the HTTP port with scripted
 * answers (the wire itself is covered against the identity emulator in test/auth): which URL and
 * headers each protocol sends, and how each status is classified.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { Clock } from '../../src/auth/clock.js';
import { isTokenError, type TokenError } from '../../src/auth/errors.js';
import type { HttpRequest, HttpResponse } from '../../src/auth/http-transport.js';
import { managedIdentityName, ManagedIdentitySource, resourceOf, type ManagedIdentitySettings } from '../../src/auth/managed-identity-source.js';
import { DeadlineExceeded } from '../../src/auth/network-errors.js';
import type { Exchange } from '../../src/auth/token-source.js';

const scope = 'https://vault.azure.net/.default';
const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const appService: ManagedIdentitySettings = { protocol: 'app-service', endpoint: 'http://127.0.0.1:41234/msi/token', identityHeader: 'header-secret' };
const imds: ManagedIdentitySettings = { protocol: 'imds', endpoint: 'http://169.254.169.254/metadata/identity/oauth2/token' };
const fixedClock: Clock = { now: () => now, sleep: () => Promise.resolve(), schedule: () => () => undefined };

interface Run {
  requests: HttpRequest[];
  exchanges: Exchange[];
  result: Promise<unknown>;
}

function request(settings: ManagedIdentitySettings, answer: Partial<HttpResponse> | Error, signal = new AbortController().signal): Run {
  const requests: HttpRequest[] = [];
  const exchanges: Exchange[] = [];
  const source = new ManagedIdentitySource(
    settings,
    (req) => {
      requests.push(req);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve({ status: 200, headers: {}, bodyText: '', ...answer });
    },
    fixedClock,
  );
  return { requests, exchanges, result: source.requestToken(scope, { signal, report: (exchange) => exchanges.push(exchange) }) };
}

async function failure(run: Run): Promise<TokenError> {
  try {
    await run.result;
  } catch (error) {
    assert.ok(isTokenError(error), String(error));
    return error;
  }
  assert.fail('expected a TokenError');
}

describe('the request each protocol sends', () => {
  it('App Service: api-version 2019-08-01, the resource, X-IDENTITY-HEADER, a client-request-id', async () => {
    const run = request({ ...appService, userAssigned: { kind: 'resource-id', value: '/subscriptions/s/id' } }, { bodyText: JSON.stringify({ access_token: 't', expires_in: 3600 }) });
    await run.result;
    const sent = run.requests[0];
    assert.ok(sent);
    const url = new URL(sent.url);
    assert.equal(sent.method, 'GET');
    assert.equal(url.searchParams.get('api-version'), '2019-08-01');
    assert.equal(url.searchParams.get('resource'), 'https://vault.azure.net');
    assert.equal(url.searchParams.get('mi_res_id'), '/subscriptions/s/id');
    assert.equal(sent.headers['x-identity-header'], 'header-secret');
    assert.equal(sent.headers['metadata'], undefined);
    assert.equal(sent.headers['return-client-request-id'], 'true');
    assert.equal(sent.headers['accept'], 'application/json');
    assert.match(sent.headers['client-request-id'] ?? '', /^[\da-f-]{36}$/);
    assert.equal(run.exchanges[0]?.clientRequestId, sent.headers['client-request-id']);
  });

  it('IMDS: api-version 2018-02-01, Metadata: true, msi_res_id for a resource id', async () => {
    const run = request({ ...imds, userAssigned: { kind: 'resource-id', value: '/subscriptions/s/id' } }, { bodyText: JSON.stringify({ access_token: 't', expires_in: 3600 }) });
    await run.result;
    const sent = run.requests[0];
    assert.ok(sent);
    const url = new URL(sent.url);
    assert.equal(url.searchParams.get('api-version'), '2018-02-01');
    assert.equal(url.searchParams.get('msi_res_id'), '/subscriptions/s/id');
    assert.equal(sent.headers['metadata'], 'true');
    assert.equal(sent.headers['x-identity-header'], undefined);
  });

  it('client and object ids use the same query keys on both protocols', async () => {
    for (const settings of [appService, imds]) {
      for (const [kind, key] of [['client-id', 'client_id'], ['object-id', 'object_id']] as const) {
        const run = request({ ...settings, userAssigned: { kind, value: 'id-1' } }, { bodyText: JSON.stringify({ access_token: 't', expires_in: 3600 }) });
        await run.result;
        assert.equal(new URL(run.requests[0]?.url ?? '').searchParams.get(key), 'id-1', `${settings.protocol} ${kind}`);
      }
    }
  });

  it('prints as ManagedIdentitySource with its identity and endpoint, never IDENTITY_HEADER', () => {
    const source = new ManagedIdentitySource(appService, () => Promise.reject(new Error('unused')), fixedClock);
    const printed = inspect(source);
    assert.match(printed, /^ManagedIdentitySource \{/);
    assert.ok(printed.includes('http://127.0.0.1:41234/msi/token') && !printed.includes('header-secret'), printed);
  });

  it('the identity name: system, or the user-assigned kind and id', () => {
    assert.equal(managedIdentityName(appService), 'managed-identity:system');
    assert.equal(managedIdentityName({ ...imds, userAssigned: { kind: 'client-id', value: 'c' } }), 'managed-identity:client-id=c');
    assert.equal(resourceOf('https://x/.default'), 'https://x');
    assert.equal(resourceOf('https://x/.default/.default'), 'https://x/.default');
  });

  it('only a trailing /.default is stripped: the same text inside the resource URI stays', () => {
    assert.equal(resourceOf('https://contoso.example/.defaults/.default'), 'https://contoso.example/.defaults');
  });
});

describe('the answer', () => {
  it('200 with a token: the token, and a successful exchange with its x-ms-request-id', async () => {
    const run = request(appService, { headers: { 'x-ms-request-id': 'req-1' }, bodyText: JSON.stringify({ access_token: 't', expires_in: 3600 }) });
    assert.deepEqual(await run.result, { accessToken: 't', receivedAt: now, expiresOnTimestamp: now + 3_600_000, serverRefreshAt: undefined });
    assert.deepEqual(
      run.exchanges.map((e) => [e.target, e.name, e.status, e.success, e.requestId]),
      [['http://127.0.0.1:41234', 'GET /msi/token', 200, true, 'req-1']],
    );
  });

  it('200 without a usable body: managed_identity_failed_response, retryable, saying why', async () => {
    const error = await failure(request(appService, { bodyText: JSON.stringify({ expires_in: 3600 }) }));
    assert.equal(error.code, 'managed_identity_failed_response');
    assert.equal(error.retryable, true);
    assert.equal(error.status, 200);
    assert.equal(error.message, 'The managed-identity endpoint answered 200 but the body has no access_token.');
  });

  it('429: throttled with Retry-After and the ids of the answer', async () => {
    const run = request(appService, { status: 429, headers: { 'retry-after': '7', 'x-ms-request-id': 'req-429' }, bodyText: JSON.stringify({ message: 'slow down', correlationId: 'corr' }) });
    const error = await failure(run);
    assert.equal(error.code, 'throttled');
    assert.equal(error.retryAfterMs, 7_000);
    assert.equal(error.retryable, true);
    assert.equal(error.requestId, 'req-429');
    assert.equal(error.correlationId, 'corr');
    assert.equal(error.clientRequestId, run.requests[0]?.headers['client-request-id']);
    assert.equal(error.message, 'The managed-identity endpoint throttled this identity (HTTP 429): slow down');
    assert.equal(run.exchanges[0]?.success, false);
  });

  const statuses: { status: number; retryable: boolean; hint: boolean }[] = [
    { status: 400, retryable: false, hint: true },
    { status: 401, retryable: false, hint: true },
    { status: 403, retryable: false, hint: true },
    { status: 404, retryable: true, hint: false },
    { status: 408, retryable: true, hint: false },
    { status: 410, retryable: true, hint: false },
    { status: 409, retryable: false, hint: false },
    { status: 499, retryable: false, hint: false },
    { status: 500, retryable: true, hint: false },
    { status: 503, retryable: true, hint: false },
  ];
  for (const c of statuses) {
    it(`HTTP ${c.status}: managed_identity_failed_response, ${c.retryable ? 'retryable (it can pass by itself)' : 'not retryable'}`, async () => {
      const error = await failure(request(appService, { status: c.status, headers: { 'retry-after': '3' }, bodyText: 'not json' }));
      assert.equal(error.code, 'managed_identity_failed_response');
      assert.equal(error.retryable, c.retryable);
      assert.equal(error.status, c.status);
      assert.equal(error.retryAfterMs, 3_000);
      const hint = ' Check the user-assigned identity id and that the identity is assigned to this app.';
      assert.equal(error.message, `The managed-identity endpoint answered HTTP ${c.status}: no error description.${c.hint ? hint : ''}`);
    });
  }
});

describe('the exchange reported', () => {
  it('its duration is the time from sending the request to the answer, on the injected clock', async () => {
    let time = now;
    const clock: Clock = { ...fixedClock, now: () => time };
    const exchanges: Exchange[] = [];
    const answer = (): Promise<HttpResponse> => {
      time += 250;
      return Promise.resolve({ status: 200, headers: {}, bodyText: JSON.stringify({ access_token: 't', expires_in: 3600 }) });
    };
    await new ManagedIdentitySource(appService, answer, clock).requestToken(scope, { signal: new AbortController().signal, report: (exchange) => exchanges.push(exchange) });
    assert.deepEqual(exchanges.map((e) => e.durationMs), [250]);
  });
});

describe('no answer', () => {
  it('a refused connection: managed_identity_unreachable_network naming the code and the origin', async () => {
    const run = request(appService, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const error = await failure(run);
    assert.equal(error.code, 'managed_identity_unreachable_network');
    assert.equal(error.retryable, true);
    assert.match(error.message, /^The managed-identity endpoint http:\/\/127\.0\.0\.1:41234 could not be reached \(ECONNREFUSED\)\./);
    assert.deepEqual(run.exchanges.map((e) => [e.status, e.success, e.durationMs]), [[undefined, false, 0]]);
  });

  it('an unknown failure is still unreachable, as a network error', async () => {
    const error = await failure(request(appService, new Error('weird')));
    assert.match(error.message, /could not be reached \(network error\)/);
  });

  it('the request deadline passing is a timeout, not a refused connection', async () => {
    const controller = new AbortController();
    controller.abort(new DeadlineExceeded('deadline'));
    const error = await failure(request(appService, new Error('aborted'), controller.signal));
    assert.match(error.message, /did not answer before the request deadline/);
  });
});
