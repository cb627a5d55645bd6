/**
 * "No message lost": every message sent is either stored exactly once (one row under its event id)
 * or sits in the poison queue with its body byte-identical; no event has two rows, and no message
 * is both stored and poisoned. Pure: the section reads the table and the poison queue.
 */
import { check, type Check } from '../matrix.js';

export interface SentMessage {
  /** The event id the row is stored under. */
  eventId: string;
  /** The message text exactly as enqueued. */
  text: string;
}

export interface MessageLedger {
  /** Rows per event id, from `SELECT id, count(*) … GROUP BY id`. */
  rows: ReadonlyMap<string, number>;
  /** Decoded bodies in the poison queue. */
  poisonBodies: readonly string[];
}

export interface Accounting {
  stored: number;
  poisoned: number;
  lost: string[];
  duplicated: string[];
  /** Stored and also poisoned, or poisoned more than once. */
  doubled: string[];
  /** Poison bodies that match no message sent byte for byte. */
  altered: number;
}

export function accountMessages(sent: readonly SentMessage[], ledger: MessageLedger): Accounting {
  const poisonCount = new Map<string, number>();
  for (const body of ledger.poisonBodies) poisonCount.set(body, (poisonCount.get(body) ?? 0) + 1);
  const texts = new Set(sent.map((m) => m.text));
  const result: Accounting = { stored: 0, poisoned: 0, lost: [], duplicated: [], doubled: [], altered: ledger.poisonBodies.filter((body) => !texts.has(body)).length };
  for (const message of sent) {
    const rows = ledger.rows.get(message.eventId) ?? 0;
    const poisoned = poisonCount.get(message.text) ?? 0;
    if (rows > 1) result.duplicated.push(message.eventId);
    if (poisoned > 1 || (poisoned > 0 && rows > 0)) result.doubled.push(message.eventId);
    if (rows === 0 && poisoned === 0) result.lost.push(message.eventId);
    if (rows > 0) result.stored++;
    else if (poisoned > 0) result.poisoned++;
  }
  return result;
}

const some = (ids: readonly string[]): string => `${ids.length}: ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}`;

export function messageAccountingChecks(sent: readonly SentMessage[], ledger: MessageLedger): Check[] {
  const a = accountMessages(sent, ledger);
  return [
    check('no message lost (stored once or poisoned, body intact)', a.lost.length === 0 && a.altered === 0, a.lost.length > 0 ? `lost ${some(a.lost)}` : a.altered > 0 ? `${a.altered} poison bodies altered` : `${a.stored} stored, ${a.poisoned} poisoned`),
    check('no duplicate row', a.duplicated.length === 0 && a.doubled.length === 0, a.duplicated.length > 0 ? `duplicated ${some(a.duplicated)}` : a.doubled.length > 0 ? `stored and poisoned ${some(a.doubled)}` : undefined),
  ];
}
