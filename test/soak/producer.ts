/**
 * Messages at a steady rate, as an upstream system would send them: mostly good signed events,
 * every 10th deliberately bad (a wrong signature, not JSON), every 15th a replay of an earlier
 * event (at-least-once delivery upstream). It counts what it sent, by kind.
 */
import type { QueueClient } from '@azure/storage-queue';
import { signEvent } from '../../src/jobs/ingest-message.js';

export interface Sent {
  good: number;
  bad: number;
  replays: number;
  /** Enqueue calls that failed (Azurite is never faulted, so this stays 0). */
  failedToSend: number;
}

export class Producer {
  readonly sent: Sent = { good: 0, bad: 0, replays: 0, failedToSend: 0 };
  private timer: NodeJS.Timeout | undefined;
  private sequence = 0;
  private readonly goodTexts: string[] = [];
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly queue: QueueClient,
    private readonly signingKey: string,
  ) {}

  start(perSecond: number): void {
    this.timer = setInterval(() => this.sendNext(), 1000 / perSecond);
  }

  /** Stops sending and waits for the messages already on their way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }

  private next(): { text: string; kind: keyof Omit<Sent, 'failedToSend'> } {
    this.sequence += 1;
    const n = this.sequence;
    if (n % 15 === 0 && this.goodTexts.length > 0) return { text: this.goodTexts[Math.floor(this.goodTexts.length / 2)] ?? '', kind: 'replays' };
    if (n % 10 === 0) return { text: n % 20 === 0 ? `reading ${n} (not JSON)` : this.signed(n, 'not-the-key'), kind: 'bad' };
    const text = this.signed(n, this.signingKey);
    this.goodTexts.push(text);
    return { text, kind: 'good' };
  }

  private signed(n: number, key: string): string {
    const event = { id: `soak-${String(n).padStart(6, '0')}`, type: 'device.reading', occurredAt: new Date().toISOString(), payload: { deviceId: `dev-${n % 9}`, value: n % 100, unit: 'C' } };
    return JSON.stringify({ ...event, signature: signEvent(key, event) });
  }

  private sendNext(): void {
    const { text, kind } = this.next();
    const sending = this.queue
      .sendMessage(Buffer.from(text, 'utf8').toString('base64'))
      .then(() => void (this.sent[kind] += 1))
      .catch(() => void (this.sent.failedToSend += 1))
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }
}
