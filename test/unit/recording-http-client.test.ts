/**
 * The HttpClient under @azure/identity's certificate flow, over a scripted inner client: what it
 * records of each exchange (and what it reports: never the body), where it finds the
 * client-request-id MSAL sent, the discovery document fetched once, and the request deadline
 * joined to MSAL's own signal.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { describe, it } from 'node:test';
import { createHttpHeaders, createPipelineRequest, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { Exchange } from '../../src/auth/events.js';
import { RecordingHttpClient } from '../../src/auth/recording-http-client.js';
import { VirtualClock } from '../support/scheduled-clock.js';

const authority = 'https://login.example.test';
const discoveryUrl = `${authority}/tenant/v2.0/.well-known/openid-configuration`;
const tokenUrl = `${authority}/tenant/oauth2/v2.0/token`;

interface Setup {
  client: RecordingHttpClient;
  sent: PipelineRequest[];
  reported: Exchange[];
  discoveryCache: Map<string, PipelineResponse>;
  deadline: AbortController;
}

function setup(answer: (request: PipelineRequest) => Promise<Omit<PipelineResponse, 'request'>>, agent?: Agent): Setup {
  const sent: PipelineRequest[] = [];
  const reported: Exchange[] = [];
  const clock = new VirtualClock();
  const inner: HttpClient = {
    sendRequest: async (request) => {
      sent.push(request);
      const response = await answer(request);
      await clock.advance(40);
      return { ...response, request };
    },
  };
  const discoveryCache = new Map<string, PipelineResponse>();
  const deadline = new AbortController();
  const client = new RecordingHttpClient({ inner, clock, agent, discoveryCache }, deadline.signal, (exchange) => reported.push(exchange));
  return { client, sent, reported, discoveryCache, deadline };
}

function answer(status: number, headers: Record<string, string> = {}, bodyAsText = '{}'): () => Promise<Omit<PipelineResponse, 'request'>> {
  return () => Promise.resolve({ status, headers: createHttpHeaders(headers), bodyAsText });
}

describe('RecordingHttpClient', () => {
  it('records status, ids, Retry-After and the body; reports the same exchange without the body', async () => {
    const { client, reported } = setup(answer(429, { 'x-ms-request-id': 'req-1', 'retry-after': '7' }, '{"access_token":"secret"}'));
    const request = createPipelineRequest({ url: `${tokenUrl}?client-request-id=from-query`, method: 'POST' });
    const response = await client.sendRequest(request);
    assert.equal(response.status, 429);
    const exchange = { target: authority, name: 'POST /tenant/oauth2/v2.0/token', clientRequestId: 'from-query', durationMs: 40, status: 429, success: false, requestId: 'req-1' };
    assert.deepEqual(client.exchanges, [{ ...exchange, url: request.url, retryAfter: '7', bodyText: '{"access_token":"secret"}' }]);
    assert.deepEqual(reported, [exchange]);
  });

  it('success means a 2xx status', async () => {
    for (const [status, success] of [[199, false], [200, true], [299, true], [300, false]] as const) {
      const { client } = setup(answer(status));
      await client.sendRequest(createPipelineRequest({ url: tokenUrl, method: 'POST' }));
      assert.equal(client.exchanges[0]?.success, success, String(status));
    }
  });

  it('finds the client-request-id in the header, else the query string, else the form body', async () => {
    const cases: [PipelineRequest, string | undefined][] = [
      [createPipelineRequest({ url: `${tokenUrl}?client-request-id=q`, method: 'POST', headers: createHttpHeaders({ 'client-request-id': 'h' }), body: 'client-request-id=b' }), 'h'],
      [createPipelineRequest({ url: `${tokenUrl}?client-request-id=q`, method: 'POST', body: 'client-request-id=b' }), 'q'],
      [createPipelineRequest({ url: tokenUrl, method: 'POST', body: 'grant_type=client_credentials&client-request-id=b' }), 'b'],
      [createPipelineRequest({ url: tokenUrl, method: 'POST', body: 'grant_type=client_credentials' }), undefined],
      [createPipelineRequest({ url: tokenUrl, method: 'POST' }), undefined],
    ];
    for (const [request, expected] of cases) {
      const { client } = setup(answer(200));
      await client.sendRequest(request);
      assert.equal(client.exchanges[0]?.clientRequestId, expected);
    }
  });

  it('fetches a discovery document once per URL, and only a 200 one', async () => {
    const statuses = [500, 200, 200];
    const { client, sent, discoveryCache } = setup(() => answer(statuses.shift() ?? 404)());
    const discovery = (): PipelineRequest => createPipelineRequest({ url: discoveryUrl, method: 'GET' });
    assert.equal((await client.sendRequest(discovery())).status, 500);
    assert.equal((await client.sendRequest(discovery())).status, 200);
    const third = discovery();
    const cached = await client.sendRequest(third);
    assert.equal(cached.status, 200);
    assert.equal(cached.request, third, 'the cached answer is handed back for this request');
    assert.equal(sent.length, 2, 'the third request never left');
    assert.equal(discoveryCache.size, 1);
    await client.sendRequest(createPipelineRequest({ url: tokenUrl, method: 'GET' }));
    await client.sendRequest(createPipelineRequest({ url: tokenUrl, method: 'GET' }));
    assert.equal(discoveryCache.size, 1, 'nothing else is cached');
  });

  it("joins the request deadline to MSAL's own signal and uses the configured agent", async () => {
    const agent = new Agent();
    const { client, sent, deadline } = setup(answer(200), agent);
    const msal = new AbortController();
    await client.sendRequest(createPipelineRequest({ url: tokenUrl, method: 'POST', abortSignal: msal.signal }));
    await client.sendRequest(createPipelineRequest({ url: tokenUrl, method: 'POST' }));
    const [joined, alone] = sent;
    assert.equal(joined?.agent, agent);
    assert.equal(alone?.abortSignal, deadline.signal, 'without a signal of its own, the deadline is the signal');
    deadline.abort(new Error('deadline'));
    assert.equal(joined?.abortSignal?.aborted, true, 'the deadline aborts a request that has its own signal too');
    agent.destroy();
  });

  it('without a configured agent, a request keeps the agent it came with (one set further up the pipeline)', async () => {
    const upstream = new Agent();
    const { client, sent } = setup(answer(200));
    const request = createPipelineRequest({ url: tokenUrl, method: 'POST' });
    request.agent = upstream;
    await client.sendRequest(request);
    assert.equal(sent[0]?.agent, upstream);
    upstream.destroy();
  });

  it('records and reports a request that got no answer, and rethrows its error', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const { client, reported } = setup(() => Promise.reject(refused));
    await assert.rejects(client.sendRequest(createPipelineRequest({ url: tokenUrl, method: 'POST' })), refused);
    assert.deepEqual(reported.map((e) => [e.name, e.status, e.success]), [['POST /tenant/oauth2/v2.0/token', undefined, false]]);
    assert.equal(client.exchanges[0]?.error, refused);
  });

  it('records a request still in flight as sent and not (yet) successful', async () => {
    let answerNow: () => void = () => undefined;
    const { client } = setup(() => new Promise((resolve) => (answerNow = () => resolve({ status: 200, headers: createHttpHeaders(), bodyAsText: '{}' }))));
    const sending = client.sendRequest(createPipelineRequest({ url: `${tokenUrl}?client-request-id=in-flight`, method: 'POST' }));
    await Promise.resolve();
    assert.deepEqual(
      client.exchanges.map((e) => [e.clientRequestId, e.durationMs, e.success, e.status]),
      [['in-flight', 0, false, undefined]],
    );
    answerNow();
    await sending;
    assert.equal(client.exchanges[0]?.success, true);
  });

  it('a failed request is charged the time it took until it failed', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const clock = new VirtualClock();
    const reported: Exchange[] = [];
    const inner: HttpClient = {
      sendRequest: async () => {
        await clock.advance(1_500);
        throw reset;
      },
    };
    const client = new RecordingHttpClient({ inner, clock, discoveryCache: new Map() }, new AbortController().signal, (exchange) => reported.push(exchange));
    await assert.rejects(client.sendRequest(createPipelineRequest({ url: tokenUrl, method: 'POST' })), reset);
    assert.deepEqual([reported[0]?.durationMs, client.exchanges[0]?.durationMs], [1_500, 1_500]);
  });

  it('only a GET of a discovery document is remembered: a POST to the same URL always goes out', async () => {
    const { client, sent, discoveryCache } = setup(answer(200));
    await client.sendRequest(createPipelineRequest({ url: discoveryUrl, method: 'POST' }));
    await client.sendRequest(createPipelineRequest({ url: discoveryUrl, method: 'POST' }));
    assert.deepEqual([sent.length, discoveryCache.size], [2, 0]);
  });

  it('a body that is not form text is sent as it is, and yields no client-request-id', async () => {
    const { client, sent } = setup(answer(200));
    const body = new TextEncoder().encode('client-request-id=from-bytes');
    await client.sendRequest(createPipelineRequest({ url: tokenUrl, method: 'POST', body }));
    assert.equal(sent[0]?.body, body);
    assert.equal(client.exchanges[0]?.clientRequestId, undefined);
  });
});
