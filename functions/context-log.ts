/** The jobs' log port over the invocation's logger, so lines land under the right invocation. */
import type { InvocationContext } from '@azure/functions';
import type { JobLog } from '../src/jobs/ports.js';
import { redactText } from '../src/telemetry/redact.js';

/** Lines go through the same redaction as telemetry: the host ships logs to Application Insights too. */
export function contextLog(context: InvocationContext): JobLog {
  const line = (message: string, properties?: Record<string, unknown>): unknown[] =>
    properties === undefined ? [redactText(message)] : [redactText(message), redactText(JSON.stringify(properties))];
  return {
    info: (message, properties) => context.log(...line(message, properties)),
    warn: (message, properties) => context.warn(...line(message, properties)),
    error: (message, properties) => context.error(...line(message, properties)),
  };
}
