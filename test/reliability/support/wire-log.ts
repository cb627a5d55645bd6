/**
 * Every HTTP request an Azure SDK client puts on the wire, as the client saw it, on the injected
 * clock: when it was sent, what came back (status, Retry-After) or that none did (timeout, reset).
 * Recorded in the client because under concurrency the server cannot tell a request that was
 * already in flight when a failure arrived from one sent after the client had seen it.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { Clock } from '../../../src/auth/clock.js';

export interface WireRequest {
  /** Order of sending. */
  seq: number;
  sentAt: number;
  path: string;
  /** Filled when the answer (or the failure) reaches the client. */
  receivedAt?: number;
  /** Order in which answers and failures reached the client, comparable with `seq` of later sends. */
  receivedSeq?: number;
  status?: number;
  retryAfter?: string;
  /** Set when no answer came: a timeout, a reset, a refused connection. */
  failure?: string;
}

export class WireLog {
  readonly requests: WireRequest[] = [];
  private events = 0;

  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  /** A per-retry policy, so it sees each wire request, the challenge round trip included. */
  policy(): { policy: PipelinePolicy; position: 'perRetry' } {
    return {
      position: 'perRetry',
      policy: {
        name: 'reliabilityWireLog',
        sendRequest: async (request, next) => {
          const entry: WireRequest = { seq: this.events++, sentAt: this.clock.now(), path: new URL(request.url).pathname };
          this.requests.push(entry);
          try {
            const response = await next(request);
            entry.status = response.status;
            const retryAfter = response.headers.get('retry-after');
            if (retryAfter !== undefined) entry.retryAfter = retryAfter;
            return response;
          } catch (error) {
            entry.failure = (error as { code?: string; name?: string }).code ?? (error as Error).name;
            throw error;
          } finally {
            entry.receivedAt = this.clock.now();
            entry.receivedSeq = this.events++;
          }
        },
      },
    };
  }

  clear(): void {
    this.requests.length = 0;
  }
}
