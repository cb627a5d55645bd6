/**
 * The two managed-identity protocols, served on one plain-http server as the real ones are:
 * - App Service / Functions: `GET /msi/token?api-version=2019-08-01&resource=…` with
 *   `X-IDENTITY-HEADER`; errors as `{ statusCode, message, correlationId }`.
 * - IMDS: `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…` with
 *   `Metadata: true`; errors as `{ error, error_description }`.
 * User-assigned identities are named by `client_id`, `mi_res_id` (IMDS: `msi_res_id`) or `object_id`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyFault } from './apply-fault.js';
import type { EmulatorContext } from './context.js';
import type { Exchange } from './exchange.js';
import { headerValue, openExchange, send } from './exchange.js';
import type { IdentityProtocol, IssuedIdentity, LifetimeDefaults } from './types.js';

export const APP_SERVICE_PATH = '/msi/token';
export const IMDS_PATH = '/metadata/identity/oauth2/token';
const APP_SERVICE_API_VERSION = '2019-08-01';

export interface ManagedIdentityOptions {
  identityHeader: string;
  systemAssignedClientId: string;
}

class ProtocolError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function appServiceError(status: number, message: string): object {
  return { statusCode: status, message, correlationId: randomUUID() };
}

function imdsError(status: number, message: string): object {
  return { error: status === 400 ? 'invalid_request' : 'server_error', error_description: message };
}

/** A stable client id for a user-assigned identity named by resource id or object id. */
function derivedClientId(id: string): string {
  const hex = createHash('sha256').update(id).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function requestedIdentity(query: URLSearchParams, protocol: IdentityProtocol): IssuedIdentity {
  const resourceIdName = protocol === 'imds' ? 'msi_res_id' : 'mi_res_id';
  const candidates: [IssuedIdentity['kind'], string | null][] = [
    ['client_id', query.get('client_id')],
    ['mi_res_id', query.get(resourceIdName)],
    ['object_id', query.get('object_id')],
  ];
  const named = candidates.filter(([, id]) => id !== null && id !== '');
  if (named.length > 1) throw new ProtocolError(400, 'Only one of client_id, mi_res_id and object_id may be given.');
  const [kind, id] = named[0] ?? ['system-assigned', null];
  return id === null ? { kind: 'system-assigned' } : { kind, id };
}

function validate(exchange: Exchange, protocol: IdentityProtocol, options: ManagedIdentityOptions): void {
  const query = exchange.url.searchParams;
  if (protocol === 'app-service') {
    const header = headerValue(exchange.req, 'x-identity-header');
    exchange.record.headers['x-identity-header'] = header === options.identityHeader ? '<valid>' : '<invalid>';
    if (header === undefined) throw new ProtocolError(400, 'Missing X-IDENTITY-HEADER header.');
    if (header !== options.identityHeader) throw new ProtocolError(401, 'Invalid X-IDENTITY-HEADER header.');
    if (query.get('api-version') !== APP_SERVICE_API_VERSION) {
      throw new ProtocolError(400, `Unsupported api-version; expected ${APP_SERVICE_API_VERSION}.`);
    }
  } else {
    if (headerValue(exchange.req, 'metadata')?.toLowerCase() !== 'true') {
      throw new ProtocolError(400, 'Required metadata header not specified');
    }
    if (!query.get('api-version')) throw new ProtocolError(400, 'Required query variable api-version is missing');
  }
  if (!query.get('resource')) throw new ProtocolError(400, 'Required query variable resource is missing');
}

function successBody(
  context: EmulatorContext,
  exchange: Exchange,
  protocol: IdentityProtocol,
  options: ManagedIdentityOptions,
  outcome: { lifetime: LifetimeDefaults; freshToken: boolean },
): object {
  const { lifetime } = outcome;
  const identity = requestedIdentity(exchange.url.searchParams, protocol);
  const resource = exchange.url.searchParams.get('resource') ?? '';
  const now = context.now();
  // One cache for both protocols: they are two doors to the same host-side token service.
  const cacheKey = `${identity.kind}:${identity.id ?? ''}|${resource}`;
  let issued = outcome.freshToken ? undefined : context.serverCache.lookup(cacheKey, now);
  const minted = !issued;
  if (!issued) {
    issued = context.ledger.mint({
      target: 'mi',
      protocol,
      identity,
      audience: resource,
      // Token times are whole seconds, as in a real token's iat/exp.
      issuedAt: Math.floor(now / 1000) * 1000,
      lifetimeSeconds: lifetime.lifetimeSeconds,
      requestId: exchange.requestId,
    });
    context.serverCache.store(cacheKey, issued);
  }
  const clientId =
    identity.kind === 'system-assigned'
      ? options.systemAssignedClientId
      : identity.kind === 'client_id'
        ? (identity.id ?? '')
        : derivedClientId(identity.id ?? '');
  const expiresOn = String(Math.floor(issued.expiresAt / 1000));
  // The full lifetime when minted, then counting down in whole seconds while it is handed out again.
  const expiresIn = minted ? lifetime.lifetimeSeconds : Math.max(0, Math.floor((issued.expiresAt - now) / 1000));
  const refreshIn = lifetime.refreshInSeconds === undefined ? {} : { refresh_in: lifetime.refreshInSeconds };
  if (protocol === 'imds') {
    return {
      access_token: issued.token,
      client_id: clientId,
      expires_in: String(expiresIn),
      expires_on: expiresOn,
      ext_expires_in: String(expiresIn),
      not_before: String(Math.floor(issued.issuedAt / 1000)),
      resource,
      token_type: 'Bearer',
      ...refreshIn,
    };
  }
  return {
    access_token: issued.token,
    expires_on: expiresOn,
    resource,
    token_type: 'Bearer',
    client_id: clientId,
    ...(lifetime.includeExpiresIn ? { expires_in: expiresIn } : {}),
    ...refreshIn,
  };
}

export function managedIdentityHandler(context: EmulatorContext, options: ManagedIdentityOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // MSAL asks IMDS for `/metadata/identity/oauth2/token/`: a trailing slash names the same path.
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/(.)\/$/, '$1');
    const protocol: IdentityProtocol = path.startsWith('/metadata/') ? 'imds' : 'app-service';
    const exchange = openExchange(req, res, { target: 'mi', protocol, time: context.logNow() });
    context.log.push(exchange.record);
    const errorBody = protocol === 'imds' ? imdsError : appServiceError;
    const isTokenPath = req.method === 'GET' && (path === APP_SERVICE_PATH || path === IMDS_PATH);
    if (!isTokenPath) {
      send(exchange, 404, errorBody(404, `No route for ${req.method ?? 'GET'} ${path}.`));
      return;
    }
    exchange.record.kind = 'token';
    const outcome = await applyFault(exchange, context.script.next('mi'), {
      host: context.host,
      now: context.now,
      lifetime: context.script.lifetime,
      errorBody: (status) => errorBody(status, `Identity emulator: scripted status ${status}.`),
    });
    if (outcome.answered) return;
    try {
      validate(exchange, protocol, options);
      send(exchange, 200, successBody(context, exchange, protocol, options, outcome));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      exchange.record.error = error.message;
      send(exchange, error.status, errorBody(error.status, error.message));
    }
  };
}
