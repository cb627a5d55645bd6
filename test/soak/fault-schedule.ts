/**
 * The mixed fault schedule of the real-time phase, as fractions of its warm part (from the end
 * of the warm-up to the end of production): identity 429, 503
 * and hang bursts, Key Vault 429 and 5xx, a PostgreSQL restart and connection resets. Each fault
 * is short next to the queue's retry budget, so every good message must still be stored.
 */
import type { SoakSandbox } from './soak-sandbox.js';

export interface ScheduledFault {
  at: number;
  name: string;
  apply(sandbox: SoakSandbox): Promise<void> | void;
}

const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const faultSchedule: readonly ScheduledFault[] = [
  { at: 0.05, name: 'identity: 429 (Retry-After 3 s) to the next 2 token requests', apply: (s) => s.identity.script('mi', { kind: 'status', status: 429, retryAfter: '3' }, { kind: 'status', status: 429, retryAfter: '3' }) },
  { at: 0.17, name: 'Key Vault: 429 (Retry-After 2 s) to the next 3 requests', apply: (s) => s.vault.script(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 429, retryAfter: '2' }))) },
  {
    at: 0.32,
    name: 'identity: 503 to every token request for 8 s',
    async apply(s) {
      s.identity.setPersistentFault('mi', { kind: 'status', status: 503 });
      await later(8_000);
      s.identity.setPersistentFault('mi', undefined);
    },
  },
  { at: 0.42, name: 'Key Vault: 503 to the next 3 requests', apply: (s) => s.vault.script(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 503 }))) },
  { at: 0.52, name: 'identity: the next token request hangs (the provider’s 10 s deadline)', apply: (s) => s.identity.script('mi', { kind: 'hang' }) },
  { at: 0.62, name: 'PostgreSQL: restart (every connection cut)', apply: (s) => s.postgres.restart() },
  { at: 0.74, name: 'identity: reset the next 2 connections', apply: (s) => s.identity.script('mi', { kind: 'reset' }, { kind: 'reset' }) },
  { at: 0.85, name: 'Key Vault: 500 to the next 2 requests', apply: (s) => s.vault.script({ kind: 'status', status: 500 }, { kind: 'status', status: 500 }) },
];
