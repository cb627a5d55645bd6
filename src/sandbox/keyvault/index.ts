/**
 * Key Vault emulator: the secrets REST API the SDK uses (list with `maxresults` + `nextLink`
 * paging, versions, get) over HTTPS with the test CA, on 127.0.0.1 with an OS-chosen port.
 * Requests without a bearer token the validator accepts get Key Vault's challenge (401 +
 * `WWW-Authenticate: Bearer authorization=…, resource=…`). Faults and latency are scripted; every
 * request is recorded (never its token).
 *
 *   const vault = await startKeyVaultEmulator({ ca, validateToken: (t) => identity.wasIssued(t) });
 *   vault.setSecret('db-password', 's3cret', { expiresOn: new Date(...) });
 *   vault.script({ kind: 'status', status: 429, retryAfter: '7' });
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TestCa } from '../ca.js';

export type KeyVaultOperation = 'list' | 'versions' | 'get' | 'other';

/** A fault answers the next authorised request matching `only` (operation) and `secret` (name), once. */
/** `truncated`: the real answer cut in half (a broken proxy): 200, invalid JSON, holding part of the value. */
export type KeyVaultFault = ({ kind: 'status'; status: number; retryAfter?: string } | { kind: 'delay'; ms: number } | { kind: 'reset' } | { kind: 'truncated' }) & {
  only?: KeyVaultOperation;
  secret?: string;
};

export interface SecretAttributes {
  enabled?: boolean;
  createdOn?: Date;
  updatedOn?: Date;
  expiresOn?: Date;
  notBefore?: Date;
  contentType?: string;
  tags?: Record<string, string>;
}

export interface RecordedVaultRequest {
  method: string;
  operation: KeyVaultOperation;
  path: string;
  query: Record<string, string>;
  /** `none` (no Authorization), `valid`, or `invalid` (a token the validator rejected). */
  auth: 'none' | 'valid' | 'invalid';
  status: number;
  fault?: KeyVaultFault['kind'] | undefined;
}

export interface KeyVaultEmulatorOptions {
  ca: Pick<TestCa, 'serverCertPem' | 'serverKeyPem'>;
  /** Whether a bearer token is one the identity emulator issued. */
  validateToken: (token: string) => boolean;
  /** Authority in the challenge; Key Vault sends `https://login.microsoftonline.com/<tenant>`. */
  authority?: string;
  /** Real-timer delay before answering each authorised request. */
  latencyMs?: number;
  /** Epoch ms for created/updated stamps; defaults to Date.now. */
  now?: () => number;
}

export interface KeyVaultEmulator {
  readonly vaultUrl: string;
  setSecret(name: string, value: string, attributes?: SecretAttributes): string;
  script(...faults: KeyVaultFault[]): void;
  setLatency(ms: number): void;
  readonly requests: readonly RecordedVaultRequest[];
  /** Every value the vault holds or held, all versions: what a leak scan looks for. */
  readonly secretValues: readonly string[];
  /** Authorised requests per operation. */
  count(operation: KeyVaultOperation): number;
  reset(): void;
  stop(): Promise<void>;
}

interface StoredVersion extends SecretAttributes {
  version: string;
  value: string;
  created: number;
  updated: number;
}

const MAX_PAGE = 25;
const seconds = (date: Date | undefined): number | undefined => (date === undefined ? undefined : Math.floor(date.getTime() / 1000));

export async function startKeyVaultEmulator(options: KeyVaultEmulatorOptions): Promise<KeyVaultEmulator> {
  const now = options.now ?? Date.now;
  const secrets = new Map<string, StoredVersion[]>();
  const faults: KeyVaultFault[] = [];
  const requests: RecordedVaultRequest[] = [];
  const sockets = new Set<Socket>();
  let latencyMs = options.latencyMs ?? 0;
  let vaultUrl = '';
  const challenge = `Bearer authorization="${options.authority ?? 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47'}", resource="https://vault.azure.net"`;

  function attributes(version: StoredVersion): Record<string, unknown> {
    return { enabled: version.enabled ?? true, created: version.created, updated: version.updated, exp: seconds(version.expiresOn), nbf: seconds(version.notBefore), recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 };
  }

  function item(name: string, version: StoredVersion, withVersion: boolean): Record<string, unknown> {
    return { id: `${vaultUrl}/secrets/${name}${withVersion ? `/${version.version}` : ''}`, attributes: attributes(version), contentType: version.contentType, tags: version.tags };
  }

  // Sorted once per change, not per page: sorting 10,000 names on every page blocked this
  // emulator's event loop long enough to add milliseconds to every concurrent answer.
  let sortedCache: string[] | undefined;
  function sortedNames(): string[] {
    sortedCache ??= [...secrets.keys()].sort((a, b) => a.localeCompare(b));
    return sortedCache;
  }

  /** Only the page's own items are rendered. */
  function page<T>(all: readonly T[], path: string, query: Record<string, string>, render: (entry: T) => Record<string, unknown>): Record<string, unknown> {
    const size = Math.min(Number(query.maxresults ?? MAX_PAGE) || MAX_PAGE, MAX_PAGE);
    const start = Number(query.$skiptoken ?? 0);
    const slice = all.slice(start, start + size).map(render);
    const next = start + size < all.length ? `${vaultUrl}${path}?api-version=${query['api-version'] ?? '7.6'}&$skiptoken=${start + size}&maxresults=${size}` : null;
    return { value: slice, nextLink: next };
  }

  function route(method: string, path: string): { operation: KeyVaultOperation; name?: string | undefined; version?: string | undefined } {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (method !== 'GET' || parts[0] !== 'secrets') return { operation: 'other' };
    if (parts.length === 1) return { operation: 'list' };
    if (parts.length === 3 && parts[2] === 'versions') return { operation: 'versions', name: parts[1] };
    if (parts.length <= 3) return { operation: 'get', name: parts[1], version: parts[2] };
    return { operation: 'other' };
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': randomBytes(8).toString('hex'), ...headers });
    res.end(text);
  }

  function answer(operation: KeyVaultOperation, name: string | undefined, version: string | undefined, path: string, query: Record<string, string>): [number, unknown] {
    const notFound: [number, unknown] = [404, { error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name ?? ''} was not found in this key vault.` } }];
    if (operation === 'list') {
      const names = sortedNames();
      return [200, page(names, path, query, (secretName) => item(secretName, secrets.get(secretName)?.at(-1) as StoredVersion, false))];
    }
    const versions = name === undefined ? undefined : secrets.get(name);
    if (!versions || name === undefined) return notFound;
    if (operation === 'versions') return [200, page(versions, path, query, (v) => item(name, v, true))];
    if (operation === 'get') {
      const found = version === undefined || version === '' ? versions.at(-1) : versions.find((v) => v.version === version);
      if (!found) return notFound;
      return [200, { ...item(name, found, true), value: found.value }];
    }
    return [405, { error: { code: 'MethodNotAllowed', message: 'The emulator serves GET on secrets only' } }];
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const { operation, name, version } = route(req.method ?? 'GET', url.pathname);
    const authorization = req.headers.authorization;
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    const auth = token === undefined ? 'none' : options.validateToken(token) ? 'valid' : 'invalid';
    const record: RecordedVaultRequest = { method: req.method ?? 'GET', operation, path: url.pathname, query, auth, status: 0 };
    requests.push(record);
    for await (const _ of req) void _; // drain the body the SDK sends after the challenge

    if (auth !== 'valid') {
      record.status = 401;
      send(res, 401, { error: { code: 'Unauthorized', message: auth === 'none' ? 'AKV10000: Request is missing a Bearer or PoP token.' : 'AKV10032: Invalid issuer.' } }, { 'www-authenticate': challenge });
      return;
    }
    const index = faults.findIndex((fault) => (fault.only === undefined || fault.only === operation) && (fault.secret === undefined || fault.secret === name));
    const fault = index >= 0 ? faults.splice(index, 1)[0] : undefined;
    record.fault = fault?.kind;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (fault?.kind === 'reset') {
      record.status = 0;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'status') {
      record.status = fault.status;
      const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
      send(res, fault.status, { error: { code: fault.status === 429 ? 'Throttled' : 'ServiceUnavailable', message: `Injected ${fault.status}` } }, headers);
      return;
    }
    const [status, body] = answer(operation, name, version, url.pathname, query);
    record.status = status;
    if (fault?.kind === 'truncated') {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': randomBytes(8).toString('hex') });
      res.end(text.slice(0, Math.ceil(text.length * 0.75)));
      return;
    }
    send(res, status, body);
  }

  const server: Server = createServer({ cert: options.ca.serverCertPem, key: options.ca.serverKeyPem }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: { code: 'EmulatorError', message: 'emulator failure' } });
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  vaultUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopped: Promise<void> | undefined;

  return {
    vaultUrl,
    setSecret(name, value, attrs = {}) {
      const stamp = Math.floor(now() / 1000);
      const versions = secrets.get(name) ?? [];
      const stored: StoredVersion = { ...attrs, version: randomBytes(16).toString('hex'), value, created: seconds(attrs.createdOn) ?? stamp, updated: seconds(attrs.updatedOn) ?? stamp };
      versions.push(stored);
      if (!secrets.has(name)) sortedCache = undefined;
      secrets.set(name, versions);
      return stored.version;
    },
    script: (...next) => void faults.push(...next),
    setLatency: (ms) => void (latencyMs = ms),
    get requests() {
      return requests;
    },
    get secretValues() {
      return [...secrets.values()].flatMap((versions) => versions.map((v) => v.value));
    },
    count: (operation) => requests.filter((r) => r.operation === operation && r.auth === 'valid').length,
    reset() {
      faults.length = 0;
      requests.length = 0;
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return stopped;
    },
  };
}
