/**
 * The queue worker's job for one message. Bad input is an outcome (`rejected`), reported with the
 * message id and dequeue count: the trigger sends it to the poison queue at once instead of
 * retrying it. Transient failures (token, Key Vault, SQL) are thrown so that the host retries the
 * message and, after `maxDequeueCount`, poisons it. The insert is idempotent by event id:
 * at-least-once delivery, exactly-once effect.
 */
import { describeFailure, isDependencyError, isTransient } from '../clients/errors.js';
import type { Store } from '../clients/store.js';
import type { CachedSecret } from './cached-secret.js';
import { hasValidSignature, parseEventMessage, type RejectionReason, type SignedEvent } from './ingest-message.js';
import type { InvocationInfo, JobLog, Telemetry } from './ports.js';

export const ingestEvents = {
  rejected: 'IngestMessageRejected',
  stored: 'IngestEventStored',
  duplicate: 'IngestEventDuplicate',
} as const;

/** A signature that fails with a key at least this old makes us read the key once more (rotation). */
export const signingKeyRecheckAfterMs = 30_000;

export interface QueueMessage {
  /** What the host passed the handler: an object for JSON text, else the text. */
  body: unknown;
  /** The message text as it was enqueued (after base64 decoding). */
  text: string;
  id: string;
  dequeueCount: number;
}

export interface IngestDeps {
  store: Store;
  signingKey: CachedSecret;
  telemetry: Telemetry;
  log: JobLog;
  maxMessageBytes: number;
  invocation?: InvocationInfo | undefined;
}

export type IngestOutcome =
  | { status: 'stored' | 'duplicate'; eventId: string }
  | { status: 'rejected'; reason: RejectionReason; detail: string; eventId?: string | undefined };

async function signatureHolds(event: SignedEvent, signingKey: CachedSecret): Promise<boolean> {
  if (hasValidSignature((await signingKey.get()).value, event)) return true;
  const reread = await signingKey.refreshIfOlderThan(signingKeyRecheckAfterMs);
  return reread !== undefined && hasValidSignature(reread.value, event);
}

export async function ingestMessage(message: QueueMessage, deps: IngestDeps): Promise<IngestOutcome> {
  const { log, telemetry, invocation } = deps;
  const where = { messageId: message.id, dequeueCount: message.dequeueCount };

  const reject = (reason: RejectionReason, detail: string, eventId?: string): IngestOutcome => {
    log.warn(`Queue message ${message.id} rejected (${reason}): ${detail}; it goes to the poison queue`, { ...where, reason, eventId });
    telemetry.trackEvent(ingestEvents.rejected, { ...where, reason, detail, eventId }, invocation);
    return { status: 'rejected', reason, detail, eventId };
  };

  const parsed = parseEventMessage(message.body, message.text, deps.maxMessageBytes);
  if (!parsed.ok) return reject(parsed.reason, parsed.detail, parsed.eventId);
  const { event } = parsed;

  try {
    if (!(await signatureHolds(event, deps.signingKey))) {
      return reject('bad_signature', 'the signature does not match the signing key', event.id);
    }
    const inserted = await deps.store.insertEvent({ id: event.id, type: event.type, occurredAt: new Date(event.occurredAt), payload: event.payload });
    const status = inserted ? 'stored' : 'duplicate';
    telemetry.trackEvent(inserted ? ingestEvents.stored : ingestEvents.duplicate, { ...where, eventId: event.id, type: event.type }, invocation);
    return { status, eventId: event.id };
  } catch (error) {
    // Input the database cannot hold is bad input, not a transient fault: poison it now.
    if (isDependencyError(error) && error.code === 'sql_bad_input') return reject('unstorable', error.message, event.id);
    const failure = describeFailure(error);
    const retry = isTransient(error) ? 'the host will retry it' : 'not a transient fault; the host retries it up to maxDequeueCount, then poisons it';
    log.warn(`Queue message ${message.id} failed; ${retry}`, { ...where, eventId: event.id, ...failure });
    telemetry.trackException(error, { ...where, eventId: event.id, job: 'ingestEvents', ...failure }, invocation);
    throw error;
  }
}
