/**
 * The HTTP port used for the managed-identity protocol: one request, one buffered response.
 * Injected so tests (and the doctor) can point it anywhere; the default is node:http(s).
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  bodyText: string;
}

export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/** Responses larger than this are cut off: a token response is a few KiB. */
const maxResponseBytes = 1024 * 1024;

export function createNodeHttpTransport(options: { ca?: string | undefined } = {}): HttpTransport {
  const httpsAgent = options.ca ? new https.Agent({ ca: options.ca, keepAlive: true }) : undefined;
  return (request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(request.url);
      const isHttps = url.protocol === 'https:';
      const send = isHttps ? https.request : http.request;
      const req = send(
        url,
        {
          method: request.method,
          headers: request.headers,
          signal: request.signal,
          ...(isHttps && httpsAgent ? { agent: httpsAgent } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= maxResponseBytes) chunks.push(chunk);
          });
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({ status: res.statusCode ?? 0, headers, bodyText: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(request.body);
    });
}
