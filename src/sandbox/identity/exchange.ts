/**
 * One request and its answer, with the bookkeeping every identity response shares: a fresh
 * `x-ms-request-id`, the caller's `client-request-id` echoed back, and the request log entry
 * updated with the status actually sent.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { IdentityProtocol, IdentityTarget, RecordedRequest } from './types.js';

/** Headers worth keeping in the request log: what SDKs send to identify and correlate a call. */
const RECORDED_HEADERS = [
  'accept',
  'content-type',
  'user-agent',
  'metadata',
  'client-request-id',
  'return-client-request-id',
  'x-ms-client-request-id',
  'x-client-sku',
  'x-client-ver',
  'x-client-os',
  'x-client-cpu',
  'x-app-name',
  'x-app-ver',
  'x-client-current-telemetry',
  'x-client-last-telemetry',
  'x-ms-return-client-request-id',
] as const;

/** Form bodies larger than this are refused; a token request is a few kilobytes. */
const MAX_BODY_BYTES = 256 * 1024;

export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly requestId: string;
  /** The caller's `client-request-id` (header or query; Entra handlers also look in the form). */
  clientRequestId: string | undefined;
  /** The Azure SDK pipeline's own `x-ms-client-request-id`, echoed under that name. */
  readonly msClientRequestId: string | undefined;
  readonly record: RecordedRequest;
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function openExchange(
  req: IncomingMessage,
  res: ServerResponse,
  context: { target: IdentityTarget; protocol: IdentityProtocol; time: number },
): Exchange {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const name of RECORDED_HEADERS) {
    const value = headerValue(req, name);
    if (value !== undefined) headers[name] = value;
  }
  const requestId = randomUUID();
  const record: RecordedRequest = {
    target: context.target,
    protocol: context.protocol,
    kind: 'other',
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    time: context.time,
    requestId,
  };
  res.on('close', () => {
    if (record.status === undefined) record.abandoned = true;
  });
  const clientRequestId = headerValue(req, 'client-request-id') ?? url.searchParams.get('client-request-id') ?? undefined;
  const msClientRequestId = headerValue(req, 'x-ms-client-request-id');
  return { req, res, url, requestId, clientRequestId, msClientRequestId, record };
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function baseHeaders(exchange: Exchange): Record<string, string> {
  const headers: Record<string, string> = { 'x-ms-request-id': exchange.requestId };
  if (exchange.clientRequestId !== undefined) headers['client-request-id'] = exchange.clientRequestId;
  if (exchange.msClientRequestId !== undefined) headers['x-ms-client-request-id'] = exchange.msClientRequestId;
  return headers;
}

/** Sends `body` (JSON unless it is already a string) unless the socket is gone. */
export function send(exchange: Exchange, status: number, body: object | string, headers: Record<string, string> = {}): void {
  const { res, record } = exchange;
  if (res.destroyed || res.headersSent) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const contentType = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  record.status = status;
  res.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-store',
    ...baseHeaders(exchange),
    ...headers,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** A 200 that claims JSON and is cut off mid-object. */
export function sendBadJson(exchange: Exchange): void {
  const { res, record } = exchange;
  if (res.destroyed || res.headersSent) return;
  const text = '{"access_token": "trunc';
  record.status = 200;
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    ...baseHeaders(exchange),
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/**
 * A 200 whose headers promise more body than ever comes: the connection drops after the first
 * bytes, so the client has seen a status and must still treat the answer as lost.
 */
export function resetMidBody(exchange: Exchange): void {
  const { res, record } = exchange;
  if (res.destroyed || res.headersSent) return;
  const text = '{"token_type": "Bearer", "access_token": "';
  record.status = 200;
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    ...baseHeaders(exchange),
    'content-length': String(Buffer.byteLength(text) + 1024),
  });
  // Closed, not reset: a TCP RST makes the client's kernel drop data it has not read yet, so a
  // busy client would lose the 200 and its headers and see a plain reset instead. A close after
  // the flushed bytes delivers them first; the body stays short of its Content-Length, so the
  // client still sees the connection fail mid-body (ECONNRESET, "aborted").
  res.write(text, () => exchange.req.socket.destroy());
}

/**
 * Drops the connection without a response; the client sees ECONNRESET. Plain TCP gets a real RST;
 * Node cannot reset a TLS socket's underlying TCP handle, so https gets an abrupt close instead.
 */
export function resetSocket(exchange: Exchange): void {
  const socket = exchange.req.socket;
  if (socket instanceof TLSSocket) socket.destroy();
  else socket.resetAndDestroy();
}
