/**
 * Entra ID's error body: `{ error, error_description: "AADSTS…: …", error_codes, timestamp,
 * trace_id, correlation_id, error_uri }`. The trace id is the response's `x-ms-request-id`, and the
 * correlation id is the caller's `client-request-id` when it sent one, as the real service does.
 */
import { randomUUID } from 'node:crypto';

export interface EntraErrorContext {
  requestId: string;
  clientRequestId: string | undefined;
  now: number;
  authorityHost: string;
}

/** Entra's timestamp format: `2024-05-01 12:34:56Z`. */
function entraTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function entraError(error: string, aadsts: number, message: string, context: EntraErrorContext): object {
  const correlationId = context.clientRequestId ?? randomUUID();
  const timestamp = entraTimestamp(context.now);
  return {
    error,
    error_description: `AADSTS${aadsts}: ${message} Trace ID: ${context.requestId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [aadsts],
    timestamp,
    trace_id: context.requestId,
    correlation_id: correlationId,
    error_uri: `${context.authorityHost}/error?code=${aadsts}`,
  };
}

/** The default body for a scripted status: what Entra sends when it throttles or has an incident. */
export function scriptedEntraError(status: number, context: EntraErrorContext): object {
  if (status === 429) return entraError('temporarily_unavailable', 90055, 'Too many requests; retry after the indicated time.', context);
  if (status >= 500) return entraError('temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.', context);
  return entraError('invalid_request', 90100, `Identity emulator: scripted status ${status}.`, context);
}
