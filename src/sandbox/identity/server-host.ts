/**
 * Lifecycle of one emulator server on 127.0.0.1 with an OS-chosen port: routes each request to an
 * async handler, keeps track of hung answers and pending delays, and on `close()` tears down every
 * connection (hung ones included) so that tests never wait on a socket the emulator left open.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How often `until` looks at the clock: fine enough that an answer lands within a test's settle step. */
const CLOCK_POLL_MS = 2;

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export class ServerHost {
  readonly #server: Server;
  readonly #hung = new Set<ServerResponse>();
  readonly #timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  #closed = false;
  #connections = 0;

  constructor(server: Server) {
    this.#server = server;
    server.on('connection', () => (this.#connections += 1));
  }

  /** TCP connections accepted so far: fewer than requests means the client kept one alive. */
  get connections(): number {
    return this.#connections;
  }

  /** Starts serving `handler`; resolves with the port the OS chose. */
  async listen(handler: RequestHandler): Promise<number> {
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      handler(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'text/plain', 'x-ms-request-id': randomUUID() });
          res.end('identity emulator: internal error');
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return (this.#server.address() as AddressInfo).port;
  }

  /** Keeps the response open until the client goes away or the server closes. */
  hang(res: ServerResponse): void {
    this.#hung.add(res);
    res.on('close', () => this.#hung.delete(res));
  }

  /** A real-timer wait that `close()` cuts short, so a delayed answer never outlives the server. */
  async delay(ms: number): Promise<void> {
    if (this.#closed) return;
    await new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.#timers.add(entry);
    });
  }

  /**
   * Resolves once `now()` reaches `at`, polling every few real milliseconds (a virtual clock has no
   * timers to hook), or at once when the server closes.
   */
  async until(now: () => number, at: number): Promise<void> {
    while (!this.#closed && now() < at) await this.delay(CLOCK_POLL_MS);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const entry of this.#timers) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.#timers.clear();
    for (const res of this.#hung) res.destroy();
    this.#hung.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}
