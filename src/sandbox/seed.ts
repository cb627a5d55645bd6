/**
 * What the sandbox holds before a local run: a vault with a few dozen secrets of varied expiry and
 * tags plus the queue's signing key, and a batch of signed events with a few deliberately bad
 * ones. Every expectation the run checks is derived from this one place.
 */
import { randomBytes } from 'node:crypto';
import { signEvent } from '../jobs/ingest-message.js';

const day = 86_400_000;

export interface SeedSecret {
  name: string;
  value: string;
  expiresOn?: Date | undefined;
  tags: Record<string, string>;
  enabled: boolean;
}

export interface SeedPlan {
  secrets: SeedSecret[];
  signingKey: { name: string; value: string };
  /** Message texts in enqueue order. */
  messages: { text: string; kind: 'good' | 'replay' | 'bad_signature' | 'not_json' | 'unknown_type' }[];
  expected: { secrets: number; nearExpiry: number; withoutExpiry: number; storedEvents: number; poisoned: number };
}

export function seedPlan(options: { now: number; secretCount?: number; eventCount?: number; expiryWindowDays: number; signingKeyName: string }): SeedPlan {
  const { now } = options;
  const secretCount = options.secretCount ?? 36;
  const eventCount = options.eventCount ?? 40;
  const teams = ['payments', 'inventory', 'identity', 'reporting'];
  const secrets: SeedSecret[] = [];
  for (let i = 0; i < secretCount; i++) {
    // A spread of expiries: already expired, inside the window, far out, and none at all.
    const kind = i % 6;
    const expiresOn =
      kind === 0 ? new Date(now - (i + 1) * day) : kind === 1 || kind === 2 ? new Date(now + ((i % 25) + 1) * day) : kind === 5 ? undefined : new Date(now + (200 + i) * day);
    secrets.push({
      name: `${teams[i % teams.length] ?? 'app'}-credential-${String(i + 1).padStart(2, '0')}`,
      value: `sandbox-secret-${randomBytes(12).toString('hex')}`,
      expiresOn,
      tags: { team: teams[i % teams.length] ?? 'app', rotation: kind === 5 ? 'manual' : 'auto', environment: 'sandbox' },
      enabled: i % 11 !== 10,
    });
  }
  const signingKey = { name: options.signingKeyName, value: randomBytes(32).toString('base64') };
  const windowEnd = now + options.expiryWindowDays * day;
  // The signing key is listed too (it has no expiry).
  const nearExpiry = secrets.filter((s) => s.expiresOn !== undefined && s.expiresOn.getTime() <= windowEnd).length;
  const withoutExpiry = secrets.filter((s) => s.expiresOn === undefined).length + 1;

  const types = ['device.reading', 'device.status', 'device.alert'];
  const messages: SeedPlan['messages'] = [];
  const good: string[] = [];
  for (let i = 0; i < eventCount; i++) {
    const event = {
      id: `evt-${String(i + 1).padStart(4, '0')}`,
      type: types[i % types.length] ?? 'device.reading',
      occurredAt: new Date(now - i * 60_000).toISOString(),
      payload: { deviceId: `dev-${(i % 7) + 1}`, value: Math.round(Math.sin(i) * 1000) / 10, unit: 'C' },
    };
    const text = JSON.stringify({ ...event, signature: signEvent(signingKey.value, event) });
    good.push(text);
    messages.push({ text, kind: 'good' });
  }
  const unsigned = { id: 'evt-bad-signature', type: 'device.alert', occurredAt: new Date(now).toISOString(), payload: { deviceId: 'dev-x' } };
  messages.push({ text: JSON.stringify({ ...unsigned, signature: signEvent('not-the-key', unsigned) }), kind: 'bad_signature' });
  messages.push({ text: 'device reading 42 (not JSON)', kind: 'not_json' });
  const unknown = { id: 'evt-unknown-type', type: 'device.teleport', occurredAt: new Date(now).toISOString(), payload: { deviceId: 'dev-y' } };
  messages.push({ text: JSON.stringify({ ...unknown, signature: signEvent(signingKey.value, unknown) }), kind: 'unknown_type' });
  // At-least-once delivery: the same event again must not be stored twice.
  messages.push({ text: good[0] ?? '', kind: 'replay' });

  return {
    secrets,
    signingKey,
    messages,
    expected: { secrets: secretCount + 1, nearExpiry, withoutExpiry, storedEvents: eventCount, poisoned: 3 },
  };
}
