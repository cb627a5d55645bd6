/**
 * The identity emulator's public vocabulary: what a test can script, what it records, and the
 * handle `startIdentityEmulator` returns. Kept apart from the servers so that tests and the
 * embedded local run can import the types without pulling in any server code.
 */
import type { TestCa } from '../ca.js';

/** `mi` covers both managed-identity protocols (App Service and IMDS); `entra` is the v2 token endpoint. */
export type IdentityTarget = 'mi' | 'entra';

/** Which wire protocol a request arrived on. */
export type IdentityProtocol = 'app-service' | 'imds' | 'entra';

/** A scripted answer to one token request. Queued faults are consumed in order, per target. */
export type Fault =
  | {
      kind: 'status';
      status: number;
      /** Sent verbatim as `Retry-After`: delay seconds (`"5"`) or an HTTP-date. */
      retryAfter?: string;
      /** Replaces the protocol's default error body; a string is sent as-is. */
      body?: object | string;
      headers?: Record<string, string>;
    }
  /** Accept the request and never answer; `stop()` destroys the socket. */
  | { kind: 'hang' }
  /** Destroy the socket (TCP RST) without an HTTP response. */
  | { kind: 'reset' }
  /** 200 with `application/json` and a truncated body. */
  | { kind: 'bad-json' }
  /** Wait `ms` on a real timer, then answer normally. */
  | { kind: 'delay'; ms: number }
  /**
   * Answer normally once the emulator's clock (`now`) reads `ms` past the request's arrival: on a
   * virtual clock the answer takes virtual time, so a client deadline is tested to the millisecond.
   */
  | { kind: 'slow'; ms: number }
  /** Send a 200's status line, headers and part of the body, then drop the connection. */
  | { kind: 'reset-mid-body' }
  | { kind: 'success'; lifetimeSeconds?: number; refreshInSeconds?: number; includeExpiresIn?: boolean };

export type FaultKind = Fault['kind'];

export interface LifetimeDefaults {
  lifetimeSeconds: number;
  /** Sent as `refresh_in` (seconds) on every success when set. */
  refreshInSeconds?: number | undefined;
  /** Managed identity only: also send `expires_in`. Entra always sends it. */
  includeExpiresIn?: boolean | undefined;
}

export interface ClientRegistration {
  tenantId: string;
  clientId: string;
  /** The certificate uploaded to the app registration (PEM). */
  certPem: string;
  /**
   * Subject name + issuer ("send certificate chain") registration: the assertion must carry `x5c`,
   * whose first certificate chains to the test CA and has the registered certificate's subject.
   */
  subjectNameIssuer?: boolean;
}

/** How an identity was named on the wire. */
export interface IssuedIdentity {
  kind: 'system-assigned' | 'client_id' | 'mi_res_id' | 'object_id' | 'app';
  /** The client id, resource id or object id requested; the app's client id for `app`. */
  id?: string | undefined;
  tenantId?: string | undefined;
}

export interface IssuedToken {
  token: string;
  target: IdentityTarget;
  protocol: IdentityProtocol;
  identity: IssuedIdentity;
  /** The resource (managed identity) or scope (Entra) the token is for. */
  audience: string;
  /** Emulator clock, epoch milliseconds. */
  issuedAt: number;
  expiresAt: number;
  requestId: string;
}

/** What the emulator learnt from a client assertion's header; never its signature or claims' values. */
export interface AssertionSummary {
  alg?: string | undefined;
  thumbprintHeader?: 'x5t' | 'x5t#S256' | undefined;
  /** The thumbprint as sent (base64url): which certificate signed, never a secret. */
  thumbprint?: string | undefined;
  x5cCount: number;
}

export interface RecordedRequest {
  target: IdentityTarget;
  protocol: IdentityProtocol;
  kind: 'token' | 'metadata' | 'other';
  method: string;
  path: string;
  query: Record<string, string>;
  /** A fixed set of headers; `x-identity-header` is recorded only as `<valid>` or `<invalid>`. */
  headers: Record<string, string>;
  /** Parsed form body with `client_assertion` replaced by `<redacted>`. */
  form?: Record<string, string> | undefined;
  assertion?: AssertionSummary | undefined;
  /** Emulator clock, epoch milliseconds, when the request arrived. */
  time: number;
  requestId: string;
  /** The fault that shaped the answer, if any. */
  fault?: FaultKind | undefined;
  /** Status sent; undefined while pending and for hang/reset. */
  status?: number | undefined;
  /** True once the client closed the connection before any answer (it gave up on a hung or slow request). */
  abandoned?: boolean | undefined;
  /** `Retry-After` sent with a scripted status, verbatim. */
  retryAfter?: string | undefined;
  /** Entra `error` or App Service/IMDS message for error answers the emulator produced itself. */
  error?: string | undefined;
}

export interface IdentityEmulatorOptions {
  /** Only the server certificate is used; the CA signs client certificates for subject-name checks. */
  ca: Pick<TestCa, 'serverCertPem' | 'serverKeyPem' | 'caCertPem'>;
  /** Epoch milliseconds; expiries and assertion checks follow it. Defaults to `Date.now`. */
  now?: () => number;
  /** Value `X-IDENTITY-HEADER` must carry; random when omitted. */
  identityHeader?: string;
  /** Default token lifetime; 3600 s when omitted. */
  tokenLifetimeSeconds?: number;
}

export interface IdentityEmulator {
  /** Full URL of the App Service endpoint, what `IDENTITY_ENDPOINT` holds. */
  readonly managedIdentityEndpoint: string;
  readonly identityHeader: string;
  /** Full URL of the IMDS token path. */
  readonly imdsEndpoint: string;
  /** `http://127.0.0.1:PORT`, what `AZURE_POD_IDENTITY_AUTHORITY_HOST` holds to point IMDS here. */
  readonly imdsAuthorityHost: string;
  /** `https://127.0.0.1:PORT`, the Entra authority host. */
  readonly authorityHost: string;
  /** The client id answered for system-assigned managed identity. */
  readonly systemAssignedClientId: string;
  /**
   * Uploads a certificate to the app registration (creating the app on first use). An app holds
   * every certificate registered for it, as Entra does, so an old and a new one can overlap.
   */
  registerClient(registration: ClientRegistration): void;
  /**
   * Removes a certificate from the app registration, as an operator retiring it would; the app
   * stays, so assertions signed with that certificate get 401 invalid_client AADSTS700027.
   * Returns whether it was registered.
   */
  unregisterCertificate(registration: Omit<ClientRegistration, 'subjectNameIssuer'>): boolean;
  script(target: IdentityTarget, ...faults: Fault[]): void;
  /** Every token request for `target` gets `fault` (after any queued faults) until called with undefined. */
  setPersistentFault(target: IdentityTarget, fault: Fault | undefined): void;
  /**
   * The emulator's clock runs `ms` ahead of `now` (negative: behind), as a host whose clock has
   * drifted: `expires_on`, token times and assertion checks follow it. The request log stays on `now`.
   */
  setClockSkew(ms: number): void;
  setDefaultLifetime(seconds: number, options?: { refreshInSeconds?: number; includeExpiresIn?: boolean }): void;
  /**
   * Managed identity hands out its cached token again (same token, same `expires_on`, counting-down
   * `expires_in`) until it expires, as IMDS and App Service do. `renewBeforeSeconds` renews that long
   * before expiry; `enabled: false` mints a token per request. A scripted `success` always mints.
   */
  configureServerCache(options: { enabled?: boolean; renewBeforeSeconds?: number }): void;
  wasIssued(token: string): boolean;
  readonly issuedTokens: readonly IssuedToken[];
  readonly requests: readonly RecordedRequest[];
  tokenRequests(target: IdentityTarget): RecordedRequest[];
  /** TCP connections the server for `target` has accepted (not cleared by `reset`): shows whether a client reuses one. */
  connections(target: IdentityTarget): number;
  /**
   * Clears queued and persistent faults, the request log, the clock skew and the default lifetime (back to the
   * start option). Keeps registrations and the issued-token ledger, so `wasIssued` and leak scans
   * still know tokens handed out before the reset.
   */
  reset(): void;
  stop(): Promise<void>;
}
