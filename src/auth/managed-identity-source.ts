/**
 * Managed identity over its documented wire protocols: App Service / Functions
 * (`IDENTITY_ENDPOINT` + `X-IDENTITY-HEADER`, api-version 2019-08-01) and IMDS (api-version 2018-02-01).
 *
 * Why not @azure/identity's ManagedIdentityCredential here: its MSAL cache is static for the
 * process and cannot be bypassed, so a refresh ahead of expiry returns the old token; it ignores
 * `expires_in`/`refresh_in`; its request has no deadline. The protocol itself is one GET.
 */
import { randomUUID } from 'node:crypto';
import { inspect, type InspectOptions } from 'node:util';
import type { Clock } from './clock.js';
import { TokenError } from './errors.js';
import type { HttpResponse, HttpTransport } from './http-transport.js';
import { deadlinePassed, networkErrorCode } from './network-errors.js';
import { parseJsonObject, readErrorBody, readTokenBody, safeDescription } from './platform-response.js';
import { parseRetryAfterMs } from './retry-after.js';
import { inspectSummary } from './safe-inspect.js';
import type { RequestContext, TokenResponse, TokenSource } from './token-source.js';

export type UserAssignedId = { kind: 'client-id' | 'resource-id' | 'object-id'; value: string };

interface CommonManagedIdentitySettings {
  /** App Service: IDENTITY_ENDPOINT. IMDS: the token URL (default http://169.254.169.254/metadata/identity/oauth2/token). */
  endpoint: string;
  userAssigned?: UserAssignedId | undefined;
}

/** App Service always has its IDENTITY_HEADER (the platform sets both); IMDS has none. */
export type ManagedIdentitySettings =
  | (CommonManagedIdentitySettings & { protocol: 'app-service'; /** IDENTITY_HEADER. Never logged. */ identityHeader: string })
  | (CommonManagedIdentitySettings & { protocol: 'imds' });

const queryKeys = {
  'app-service': { 'client-id': 'client_id', 'resource-id': 'mi_res_id', 'object-id': 'object_id' },
  imds: { 'client-id': 'client_id', 'resource-id': 'msi_res_id', 'object-id': 'object_id' },
} as const;

export function managedIdentityName(settings: ManagedIdentitySettings): string {
  const who = settings.userAssigned ? `${settings.userAssigned.kind}=${settings.userAssigned.value}` : 'system';
  return `managed-identity:${who}`;
}

/** `https://x/.default` -> `https://x`: the managed-identity protocols take a resource, not a scope. */
export function resourceOf(scope: string): string {
  return scope.replace(/\/\.default$/, '');
}

export class ManagedIdentitySource implements TokenSource {
  readonly kind = 'managed-identity' as const;
  readonly identity: string;

  constructor(
    private readonly settings: ManagedIdentitySettings,
    private readonly transport: HttpTransport,
    private readonly clock: Clock,
  ) {
    this.identity = managedIdentityName(settings);
  }

  /** What JSON.stringify and util.inspect show: never IDENTITY_HEADER. */
  toJSON(): { identity: string; protocol: ManagedIdentitySettings['protocol']; endpoint: string } {
    return { identity: this.identity, protocol: this.settings.protocol, endpoint: this.settings.endpoint };
  }

  [inspect.custom](_depth: number, options: InspectOptions): string {
    return inspectSummary('ManagedIdentitySource', this.toJSON(), options);
  }

  async requestToken(scope: string, context: RequestContext): Promise<TokenResponse> {
    const url = this.requestUrl(scope);
    const clientRequestId = randomUUID();
    const headers: Record<string, string> = { accept: 'application/json', 'client-request-id': clientRequestId, 'return-client-request-id': 'true' };
    if (this.settings.protocol === 'app-service') headers['x-identity-header'] = this.settings.identityHeader;
    else headers['metadata'] = 'true';

    const started = this.clock.now();
    const exchange = { target: url.origin, name: `GET ${url.pathname}`, clientRequestId };
    let response: HttpResponse;
    context.sending?.(clientRequestId);
    try {
      response = await this.transport({ method: 'GET', url: url.toString(), headers, signal: context.signal });
    } catch (error) {
      context.report({ ...exchange, durationMs: this.clock.now() - started, success: false });
      throw this.unreachable(error, scope, clientRequestId, context.signal);
    }
    const receivedAt = this.clock.now();
    const requestId = response.headers['x-ms-request-id'];
    context.report({ ...exchange, durationMs: receivedAt - started, status: response.status, success: response.status === 200, requestId });
    return this.interpret(response, scope, receivedAt, clientRequestId);
  }

  private requestUrl(scope: string): URL {
    const url = new URL(this.settings.endpoint);
    url.searchParams.set('api-version', this.settings.protocol === 'app-service' ? '2019-08-01' : '2018-02-01');
    url.searchParams.set('resource', resourceOf(scope));
    const id = this.settings.userAssigned;
    if (id) url.searchParams.set(queryKeys[this.settings.protocol][id.kind], id.value);
    return url;
  }

  private unreachable(error: unknown, scope: string, clientRequestId: string, signal: AbortSignal): TokenError {
    const timedOut = deadlinePassed(signal);
    const code = timedOut ? 'timeout' : (networkErrorCode(error) ?? 'network error');
    const what = timedOut ? 'did not answer before the request deadline' : `could not be reached (${code})`;
    return new TokenError(
      'managed_identity_unreachable_network',
      `The managed-identity endpoint ${new URL(this.settings.endpoint).origin} ${what}. Check that the app runs where a managed identity is available (IDENTITY_ENDPOINT) and that nothing blocks it.`,
      { source: this.kind, scope, retryable: true, clientRequestId, cause: error },
    );
  }

  private interpret(response: HttpResponse, scope: string, receivedAt: number, clientRequestId: string): TokenResponse {
    const body = parseJsonObject(response.bodyText);
    const ids = readErrorBody(body);
    const common = {
      source: this.kind,
      scope,
      status: response.status,
      requestId: response.headers['x-ms-request-id'],
      clientRequestId,
      correlationId: ids.correlationId,
      traceId: ids.traceId,
      errorCodes: ids.errorCodes,
      platformError: ids.error,
    };
    if (response.status === 200) {
      const token = readTokenBody(body, receivedAt);
      if (typeof token !== 'string') return token;
      throw new TokenError('managed_identity_failed_response', `The managed-identity endpoint answered 200 but ${token}.`, { ...common, retryable: true });
    }
    const retryAfterMs = parseRetryAfterMs(response.headers['retry-after'], receivedAt);
    const detail = safeDescription(ids.description) ?? 'no error description';
    if (response.status === 429) {
      throw new TokenError('throttled', `The managed-identity endpoint throttled this identity (HTTP 429): ${detail}`, { ...common, retryAfterMs, retryable: true });
    }
    // IMDS answers 404/410 while an identity is still being assigned; 5xx and 408 are transient.
    const retryable = response.status >= 500 || [404, 408, 410].includes(response.status);
    const hint = response.status === 400 || response.status === 401 || response.status === 403
      ? ' Check the user-assigned identity id and that the identity is assigned to this app.'
      : '';
    throw new TokenError('managed_identity_failed_response', `The managed-identity endpoint answered HTTP ${response.status}: ${detail}.${hint}`, {
      ...common,
      retryAfterMs,
      retryable,
    });
  }
}
