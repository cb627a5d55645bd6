/**
 * The steps of reaching an endpoint, each measured on its own so a failure names the step: name
 * resolution, a TCP connection, a TLS handshake (https) and one HTTP answer. Each has the same
 * deadline as a token request; none of them asks for a token.
 */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { connect as tcpConnect, isIP } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';

export type StepResult<T> = { ok: true; ms: number; value: T } | { ok: false; ms: number; code: string; timedOut: boolean };

const failure = (started: number, code: string, timedOut = false): StepResult<never> => ({ ok: false, ms: Date.now() - started, code, timedOut });
const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));

/** Rejects after `ms` unless `work` settles first; the timer never holds the process. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), ms).unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export function portOf(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

/** The address to connect to; an IP literal resolves to itself without a lookup. */
export async function resolveHost(host: string, timeoutMs: number): Promise<StepResult<{ address: string; literal: boolean }>> {
  const started = Date.now();
  if (isIP(host)) return { ok: true, ms: 0, value: { address: host, literal: true } };
  try {
    const { address } = await withDeadline(lookup(host), timeoutMs);
    return { ok: true, ms: Date.now() - started, value: { address, literal: false } };
  } catch (error) {
    return failure(started, codeOf(error), codeOf(error) === 'ETIMEDOUT');
  }
}

export function connectTcp(address: string, port: number, timeoutMs: number): Promise<StepResult<undefined>> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(failure(started, 'ETIMEDOUT', true));
    }, timeoutMs).unref();
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true, ms: Date.now() - started, value: undefined });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      resolve(failure(started, codeOf(error)));
    });
  });
}

export interface TlsFacts {
  subject: string;
  issuer: string;
  validTo: string;
}

function commonName(name: PeerCertificate['subject'] | undefined): string {
  const cn = [name?.CN ?? []].flat()[0];
  return cn ? `CN=${cn}` : 'unnamed';
}

/** A verified handshake: the certificate must chain to a trusted CA and name `host`. */
export function handshakeTls(address: string, host: string, port: number, ca: string | undefined, timeoutMs: number): Promise<StepResult<TlsFacts>> {
  const started = Date.now();
  return new Promise((resolve) => {
    // The identity is checked against `servername` (the host name); an IP literal is checked as itself.
    const socket = tlsConnect({ host: address, port, ...(isIP(host) ? {} : { servername: host }), ...(ca ? { ca } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(failure(started, 'ETIMEDOUT', true));
    }, timeoutMs).unref();
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const peer = socket.getPeerCertificate();
      socket.destroy();
      resolve({ ok: true, ms: Date.now() - started, value: { subject: commonName(peer.subject), issuer: commonName(peer.issuer), validTo: new Date(peer.valid_to).toISOString() } });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      resolve(failure(started, codeOf(error)));
    });
  });
}

export interface HttpFacts {
  status: number;
  /** The `Date` header, when sent. */
  date?: string | undefined;
  receivedAt: number;
  /** The `x-ms-request-id` header, when sent. */
  requestId?: string | undefined;
  /** The first 64 KiB of the body: error bodies name the problem (AADSTS90002). */
  bodyText: string;
}

const maxBodyBytes = 64 * 1024;

/** One GET on a fresh connection; the time is to the response headers. */
export function getOnce(url: URL, ca: string | undefined, timeoutMs: number): Promise<StepResult<HttpFacts>> {
  const started = Date.now();
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? https.request : http.request;
    const request = send(url, { method: 'GET', headers: { accept: 'application/json', connection: 'close' }, agent: false, ...(ca ? { ca } : {}), signal: AbortSignal.timeout(timeoutMs) }, (response) => {
      const ms = Date.now() - started;
      const receivedAt = Date.now();
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBodyBytes) chunks.push(chunk);
      });
      const done = (): void =>
        resolve({ ok: true, ms, value: { status: response.statusCode ?? 0, date: response.headers.date, receivedAt, requestId: [response.headers['x-ms-request-id']].flat()[0], bodyText: Buffer.concat(chunks).toString('utf8') } });
      response.once('end', done);
      response.once('error', done);
    });
    request.once('error', (error) => resolve(failure(started, error.name === 'AbortError' ? 'ETIMEDOUT' : codeOf(error), error.name === 'AbortError')));
    request.end();
  });
}
