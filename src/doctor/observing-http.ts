/**
 * The provider's own HTTP ports, wrapped to note each answer's `Date` header for the clock check.
 * They pass every request and response through untouched: the provider under test is the real
 * one, with the same transport it would build itself.
 */
import { createDefaultHttpClient, type HttpClient } from '@azure/core-rest-pipeline';
import { createNodeHttpTransport, type HttpTransport } from '../auth/http-transport.js';
import type { DateObservation } from './clock-skew.js';

export type DateSink = (observation: DateObservation) => void;

/** The managed-identity transport (node:http), as createTokenSource builds it. */
export function observingTransport(record: DateSink, ca?: string): HttpTransport {
  const inner = createNodeHttpTransport({ ca });
  return async (request) => {
    const response = await inner(request);
    const date = response.headers['date'];
    if (date) record({ origin: new URL(request.url).origin, date, receivedAt: Date.now() });
    return response;
  };
}

/** The core-rest-pipeline client under @azure/identity for the certificate flow. */
export function observingHttpClient(record: DateSink): HttpClient {
  const inner = createDefaultHttpClient();
  return {
    async sendRequest(request) {
      const response = await inner.sendRequest(request);
      const date = response.headers.get('date');
      if (date) record({ origin: new URL(request.url).origin, date, receivedAt: Date.now() });
      return response;
    },
  };
}
