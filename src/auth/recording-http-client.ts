/**
 * The `httpClient` handed to @azure/identity for the certificate flow. It does three things the
 * stock pipeline does not: enforces our request deadline, records every exchange (status,
 * `x-ms-request-id`, the `client-request-id` MSAL sent, the body) so failures can be classified
 * with their correlation ids, and remembers the tenant's OpenID discovery document, so that a
 * fresh credential per acquisition does not fetch it again.
 */
import type { Agent } from 'node:https';
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import type { Clock } from './clock.js';
import type { Exchange } from './token-source.js';

export interface RecordedExchange extends Exchange {
  url: string;
  bodyText?: string | undefined;
  retryAfter?: string | undefined;
  error?: unknown;
}

export interface RecordingDeps {
  inner: HttpClient;
  clock: Clock;
  agent?: Agent | undefined;
  /** Shared across acquisitions of one source: discovery documents by URL. */
  discoveryCache: Map<string, PipelineResponse>;
}

function isDiscovery(request: PipelineRequest): boolean {
  return request.method === 'GET' && request.url.includes('/.well-known/openid-configuration');
}

function clientRequestIdOf(request: PipelineRequest): string | undefined {
  // MSAL sends its correlation id as `client-request-id` in the query string and the form.
  const header = request.headers.get('client-request-id') ?? new URL(request.url).searchParams.get('client-request-id');
  if (header) return header;
  if (typeof request.body === 'string') return new URLSearchParams(request.body).get('client-request-id') ?? undefined;
  return undefined;
}

export class RecordingHttpClient implements HttpClient {
  readonly exchanges: RecordedExchange[] = [];

  constructor(
    private readonly deps: RecordingDeps,
    private readonly signal: AbortSignal,
    private readonly report: (exchange: Exchange) => void,
    private readonly sending?: (clientRequestId: string | undefined) => void,
  ) {}

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const discovery = isDiscovery(request);
    const cached = discovery ? this.deps.discoveryCache.get(request.url) : undefined;
    if (cached) return { ...cached, request };

    request.abortSignal = request.abortSignal ? AbortSignal.any([request.abortSignal as AbortSignal, this.signal]) : this.signal;
    if (this.deps.agent) request.agent = this.deps.agent;
    const url = new URL(request.url);
    const sent = { target: url.origin, name: `${request.method} ${url.pathname}`, clientRequestId: clientRequestIdOf(request) };
    const started = this.deps.clock.now();
    // Recorded as sent before it is answered: when the deadline aborts the credential, MSAL can
    // reject before this request's own rejection arrives, and the failure must still be charged
    // to the request (its client-request-id) that was in flight.
    const record: RecordedExchange = { ...sent, url: request.url, durationMs: 0, success: false };
    this.exchanges.push(record);
    this.sending?.(sent.clientRequestId);
    try {
      const response = await this.deps.inner.sendRequest(request);
      const exchange: Exchange = {
        ...sent,
        durationMs: this.deps.clock.now() - started,
        status: response.status,
        success: response.status >= 200 && response.status < 300,
        requestId: response.headers.get('x-ms-request-id') ?? undefined,
      };
      // The body may hold an access token: it stays in this record and never reaches the report.
      Object.assign(record, exchange, { retryAfter: response.headers.get('retry-after') ?? undefined, bodyText: response.bodyAsText ?? undefined });
      this.report(exchange);
      if (discovery && response.status === 200) this.deps.discoveryCache.set(request.url, response);
      return response;
    } catch (error) {
      const exchange: Exchange = { ...sent, durationMs: this.deps.clock.now() - started, success: false };
      Object.assign(record, exchange, { error });
      this.report(exchange);
      throw error;
    }
  }
}
