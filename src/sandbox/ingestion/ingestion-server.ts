/**
 * An Application Insights ingestion endpoint on 127.0.0.1 that records every envelope the real
 * `applicationinsights` SDK sends. The SDK insists on https for `IngestionEndpoint`, so it serves
 * TLS with the run-time test CA; the process under test trusts it through NODE_EXTRA_CA_CERTS.
 *
 * It can also misbehave on purpose (answer an error status, or never answer) to prove that an
 * exporter failure never fails or slows the work that raised the telemetry.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One Application Insights envelope, as the exporter serialises it (only the parts tests read are typed). */
export interface Envelope {
  name: string;
  time: string;
  iKey: string;
  tags?: Record<string, string>;
  data?: {
    baseType?: string;
    baseData?: Record<string, unknown> & { properties?: Record<string, string> };
  };
  [key: string]: unknown;
}

export interface IngestionRequest {
  path: string;
  envelopeCount: number;
  /** The status we answered, or `'hung'` when we never answered. */
  answeredWith: number | 'hung';
}

export type IngestionBehaviour = { kind: 'accept' } | { kind: 'status'; status: number } | { kind: 'hang' };

export interface IngestionServer {
  /** `https://127.0.0.1:<port>/`, ready for `IngestionEndpoint=`. */
  url: string;
  instrumentationKey: string;
  /** `InstrumentationKey=…;IngestionEndpoint=…` for APPLICATIONINSIGHTS_CONNECTION_STRING. */
  connectionString: string;
  /** Every envelope received, in arrival order, whatever we answered. */
  readonly envelopes: readonly Envelope[];
  /** Every track request received. */
  readonly requests: readonly IngestionRequest[];
  /** Every request body as received (decompressed), for secret scans. */
  readonly rawBodies: readonly string[];
  /** Resolves with the first envelope that matches, waiting for later ones if needed. */
  waitFor(predicate: (envelope: Envelope) => boolean, timeoutMs?: number): Promise<Envelope>;
  /** Answer every later track request with this status (e.g. 500, 503); `undefined` accepts again. */
  failWith(status: number | undefined): void;
  /** Hold every later track request open without answering, until `stop()` or `failWith`. */
  hang(): void;
  stop(): Promise<void>;
}

export interface IngestionServerOptions {
  /** PEM certificate and key for 127.0.0.1 (the test CA's server certificate). */
  tls: { cert: string; key: string };
  instrumentationKey?: string;
}

const TRACK_PATHS = new Set(['/v2.1/track', '/v2/track']);
const DEFAULT_WAIT_MS = 15_000;

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function decode(body: Buffer, encoding: string | undefined): string {
  const gzipped = encoding === 'gzip' || (body[0] === 0x1f && body[1] === 0x8b);
  return (gzipped ? gunzipSync(body) : body).toString('utf8');
}

/** The exporter sends a JSON array; older SDKs sent newline-delimited envelopes. */
function parseEnvelopes(text: string): Envelope[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as Envelope[];
  return trimmed.split('\n').map((line) => JSON.parse(line) as Envelope);
}

export async function startIngestionServer(options: IngestionServerOptions): Promise<IngestionServer> {
  const instrumentationKey = options.instrumentationKey ?? randomUUID();
  const envelopes: Envelope[] = [];
  const requests: IngestionRequest[] = [];
  const rawBodies: string[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  const hungResponses = new Set<ServerResponse>();
  let behaviour: IngestionBehaviour = { kind: 'accept' };

  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const body = await readBody(request);
    if (request.method !== 'POST' || !TRACK_PATHS.has(path)) {
      response.writeHead(404).end();
      return;
    }
    const text = decode(body, request.headers['content-encoding']);
    rawBodies.push(text);
    const received = parseEnvelopes(text);
    envelopes.push(...received);
    const current = behaviour;
    if (current.kind === 'hang') {
      requests.push({ path, envelopeCount: received.length, answeredWith: 'hung' });
      hungResponses.add(response);
      notify();
      return;
    }
    const status = current.kind === 'status' ? current.status : 200;
    requests.push({ path, envelopeCount: received.length, answeredWith: status });
    const accepted = status === 200 ? received.length : 0;
    const errors = status === 200 ? [] : received.map((_, index) => ({ index, statusCode: status, message: 'scripted failure' }));
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ itemsReceived: received.length, itemsAccepted: accepted, errors }));
    notify();
  };

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(400);
      response.end();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `https://127.0.0.1:${port}/`;

  const releaseHung = (): void => {
    for (const response of hungResponses) response.destroy();
    hungResponses.clear();
  };

  return {
    url,
    instrumentationKey,
    connectionString: `InstrumentationKey=${instrumentationKey};IngestionEndpoint=${url}`,
    envelopes,
    requests,
    rawBodies,
    waitFor(predicate, timeoutMs = DEFAULT_WAIT_MS) {
      return new Promise<Envelope>((resolve, reject) => {
        const check = (): boolean => {
          const found = envelopes.find(predicate);
          if (found === undefined) return false;
          clearTimeout(timer);
          waiters.delete(onArrival);
          resolve(found);
          return true;
        };
        const onArrival = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(onArrival);
          reject(new Error(`no matching envelope within ${timeoutMs} ms (received ${envelopes.length})`));
        }, timeoutMs);
        timer.unref();
        waiters.add(onArrival);
        check();
      });
    },
    failWith(status) {
      releaseHung();
      behaviour = status === undefined ? { kind: 'accept' } : { kind: 'status', status };
    },
    hang() {
      behaviour = { kind: 'hang' };
    },
    async stop() {
      releaseHung();
      for (const waiter of [...waiters]) waiters.delete(waiter);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
