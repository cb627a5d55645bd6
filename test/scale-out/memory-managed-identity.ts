/**
 * One instance's managed-identity endpoint (the App Service protocol, api-version 2019-08-01) as an
 * in-process HttpTransport: no socket, the same wire format. Like the real host it keeps a
 * server-side token cache per resource (the sandbox's ServerTokenCache and TokenLedger) and hands
 * the same token out again with a counting-down `expires_in`, renewing it `renewBeforeSeconds`
 * before expiry (or, without that cache, mints a token per request, as Entra's token endpoint
 * does); when the region throttles it answers 429 with Retry-After.
 */
import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse, HttpTransport } from '../../src/auth/http-transport.js';
import { ServerTokenCache } from '../../src/sandbox/identity/server-token-cache.js';
import { TokenLedger } from '../../src/sandbox/identity/token-ledger.js';
import type { Region } from './region.js';

export const identityHeader = 'scale-out-identity-header';
export const endpoint = 'http://127.0.0.1:1/msi/token';

export interface InstanceEndpointOptions {
  instance: number;
  region: Region;
  now: () => number;
  lifetimeSeconds: number;
  /** Renew the server-side token this long before it expires; undefined: no server-side cache (a token per request, as Entra's token endpoint). */
  renewBeforeSeconds: number | undefined;
}

function json(status: number, body: object, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-ms-request-id': randomUUID(), ...headers }, bodyText: JSON.stringify(body) };
}

export function instanceEndpoint(options: InstanceEndpointOptions): HttpTransport {
  const cache = new ServerTokenCache();
  cache.configure(options.renewBeforeSeconds === undefined ? { enabled: false } : { renewBeforeSeconds: options.renewBeforeSeconds });
  const ledger = new TokenLedger();
  return (request: HttpRequest): Promise<HttpResponse> => {
    const url = new URL(request.url);
    const resource = url.searchParams.get('resource') ?? '';
    if (request.headers['x-identity-header'] !== identityHeader || url.searchParams.get('api-version') !== '2019-08-01' || !resource) {
      return Promise.resolve(json(400, { statusCode: 400, message: 'bad request', correlationId: randomUUID() }));
    }
    const retryAfter = options.region.throttledFor();
    if (retryAfter !== undefined) {
      options.region.record(options.instance, resource, 429, true);
      return Promise.resolve(json(429, { statusCode: 429, message: 'Too many requests', correlationId: randomUUID() }, { 'retry-after': String(retryAfter) }));
    }
    const now = options.now();
    let issued = cache.lookup(resource, now);
    const minted = issued === undefined;
    options.region.record(options.instance, resource, 200, minted);
    if (issued === undefined) {
      issued = ledger.mint({ target: 'mi', protocol: 'app-service', identity: { kind: 'system-assigned' }, audience: resource, issuedAt: Math.floor(now / 1000) * 1000, lifetimeSeconds: options.lifetimeSeconds, requestId: randomUUID() });
      cache.store(resource, issued);
    }
    const expiresIn = minted ? options.lifetimeSeconds : Math.max(0, Math.floor((issued.expiresAt - now) / 1000));
    return Promise.resolve(json(200, { access_token: issued.token, expires_on: String(Math.floor(issued.expiresAt / 1000)), expires_in: expiresIn, resource, token_type: 'Bearer' }));
  };
}
