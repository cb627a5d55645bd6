/**
 * The Entra ID v2 endpoints MSAL uses for a confidential client with a certificate:
 * `GET /{tenant}/v2.0/.well-known/openid-configuration`, `GET /{tenant}/discovery/v2.0/keys` and
 * `POST /{tenant}/oauth2/v2.0/token` (client credentials with a JWT-bearer client assertion).
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyFault } from './apply-fault.js';
import type { RegisteredApp, RegisteredCertificate } from './client-assertion.js';
import { verifyClientAssertion } from './client-assertion.js';
import type { EmulatorContext } from './context.js';
import type { EntraErrorContext } from './entra-errors.js';
import { entraError, scriptedEntraError } from './entra-errors.js';
import type { Exchange } from './exchange.js';
import { openExchange, readBody, send } from './exchange.js';
import { openIdConfiguration, tokenEndpointFor } from './openid-configuration.js';
import type { ClientRegistration, LifetimeDefaults } from './types.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** MSAL may add these to any request; they never name a resource. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access']);

const METADATA_ROUTE = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/;
const KEYS_ROUTE = /^\/([^/]+)\/discovery\/v2\.0\/keys$/;
const TOKEN_ROUTE = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;

/** App registrations by tenant and client id, each with the certificates uploaded to it. */
export class ClientRegistry {
  readonly #apps = new Map<string, { clientId: string; certificates: RegisteredCertificate[] }>();

  register(registration: ClientRegistration): void {
    const key = `${registration.tenantId}/${registration.clientId}`;
    const app = this.#apps.get(key) ?? { clientId: registration.clientId, certificates: [] };
    const certificate = new X509Certificate(registration.certPem);
    // Uploading the same certificate again updates it rather than adding a duplicate.
    app.certificates = app.certificates.filter((entry) => entry.certificate.fingerprint256 !== certificate.fingerprint256);
    app.certificates.push({ certificate, subjectNameIssuer: registration.subjectNameIssuer ?? false });
    this.#apps.set(key, app);
  }

  unregister(registration: Omit<ClientRegistration, 'subjectNameIssuer'>): boolean {
    const app = this.#apps.get(`${registration.tenantId}/${registration.clientId}`);
    if (app === undefined) return false;
    const fingerprint = new X509Certificate(registration.certPem).fingerprint256;
    const before = app.certificates.length;
    app.certificates = app.certificates.filter((entry) => entry.certificate.fingerprint256 !== fingerprint);
    return app.certificates.length < before;
  }

  find(tenantId: string, clientId: string): RegisteredApp | undefined {
    return this.#apps.get(`${tenantId}/${clientId}`);
  }
}

export interface EntraOptions {
  authorityHost: () => string;
  registry: ClientRegistry;
  caCertPem: string;
}

class EntraRejection extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    message: string,
  ) {
    super(message);
  }
}

function redactedForm(form: URLSearchParams): Record<string, string> {
  const recorded = Object.fromEntries(form);
  for (const secret of ['client_assertion', 'client_secret']) if (secret in recorded) recorded[secret] = '<redacted>';
  return recorded;
}

/** Checks everything but the assertion's cryptography; returns the app and the resource scope. */
function checkRequest(form: URLSearchParams, tenant: string, registry: ClientRegistry): { client: RegisteredApp; scope: string } {
  const grantType = form.get('grant_type');
  if (grantType !== 'client_credentials') {
    throw new EntraRejection(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType ?? ''}'.`);
  }
  const clientId = form.get('client_id');
  if (!clientId) throw new EntraRejection(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
  const client = registry.find(tenant, clientId);
  if (client === undefined) {
    throw new EntraRejection(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
  }
  const scopes = (form.get('scope') ?? '').split(' ').filter((scope) => scope !== '' && !OIDC_SCOPES.has(scope));
  const scope = scopes[0];
  if (scopes.length !== 1 || scope === undefined || !scope.endsWith('/.default')) {
    throw new EntraRejection(400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scopes.join(' ')} is not valid.`);
  }
  if (form.get('client_assertion_type') !== JWT_BEARER || !form.get('client_assertion')) {
    throw new EntraRejection(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  return { client, scope };
}

export function entraHandler(context: EmulatorContext, options: EntraOptions) {
  const ca = new X509Certificate(options.caCertPem);

  function errorContext(exchange: Exchange): EntraErrorContext {
    return { requestId: exchange.requestId, clientRequestId: exchange.clientRequestId, now: context.now(), authorityHost: options.authorityHost() };
  }

  function issue(exchange: Exchange, tenant: string, clientId: string, scope: string, lifetime: LifetimeDefaults): void {
    const issued = context.ledger.mint({
      target: 'entra',
      protocol: 'entra',
      identity: { kind: 'app', id: clientId, tenantId: tenant },
      audience: scope,
      issuedAt: context.now(),
      lifetimeSeconds: lifetime.lifetimeSeconds,
      requestId: exchange.requestId,
    });
    send(exchange, 200, {
      token_type: 'Bearer',
      expires_in: lifetime.lifetimeSeconds,
      ext_expires_in: lifetime.lifetimeSeconds,
      ...(lifetime.refreshInSeconds === undefined ? {} : { refresh_in: lifetime.refreshInSeconds }),
      access_token: issued.token,
    });
  }

  async function token(exchange: Exchange, tenant: string): Promise<void> {
    exchange.record.kind = 'token';
    const form = new URLSearchParams(await readBody(exchange.req));
    exchange.record.form = redactedForm(form);
    // MSAL sends its correlation id as `client-request-id` in the query string and the form.
    exchange.clientRequestId ??= form.get('client-request-id') ?? undefined;
    const outcome = await applyFault(exchange, context.script.next('entra'), {
      host: context.host,
      now: context.now,
      lifetime: context.script.lifetime,
      errorBody: (status) => scriptedEntraError(status, errorContext(exchange)),
    });
    if (outcome.answered) return;
    try {
      const { client, scope } = checkRequest(form, tenant, options.registry);
      const tokenEndpoint = tokenEndpointFor(options.authorityHost(), tenant);
      const verdict = verifyClientAssertion(form.get('client_assertion') ?? '', client, { tokenEndpoint, now: context.now(), ca });
      exchange.record.assertion = verdict.summary;
      if (!verdict.ok) throw new EntraRejection(401, 'invalid_client', verdict.aadsts, verdict.description);
      issue(exchange, tenant, client.clientId, scope, outcome.lifetime);
    } catch (error) {
      if (!(error instanceof EntraRejection)) throw error;
      exchange.record.error = error.error;
      send(exchange, error.status, entraError(error.error, error.aadsts, error.message, errorContext(exchange)));
    }
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const exchange = openExchange(req, res, { target: 'entra', protocol: 'entra', time: context.logNow() });
    context.log.push(exchange.record);
    const path = exchange.url.pathname;
    const metadata = METADATA_ROUTE.exec(path);
    if (req.method === 'GET' && metadata?.[1] !== undefined) {
      exchange.record.kind = 'metadata';
      send(exchange, 200, openIdConfiguration(options.authorityHost(), metadata[1]));
      return;
    }
    if (req.method === 'GET' && KEYS_ROUTE.test(path)) {
      exchange.record.kind = 'metadata';
      send(exchange, 200, { keys: [] });
      return;
    }
    const tokenRoute = TOKEN_ROUTE.exec(path);
    if (req.method === 'POST' && tokenRoute?.[1] !== undefined) {
      await token(exchange, tokenRoute[1]);
      return;
    }
    send(exchange, 404, entraError('invalid_request', 90002, `No route for ${req.method ?? 'GET'} ${path}.`, errorContext(exchange)));
  };
}
