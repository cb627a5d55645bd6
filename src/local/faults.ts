/**
 * The faults a user can inject into a local run (`--fault <name>`), each applied to the sandbox
 * for the run, with what the summary should show the product did about it.
 */
import type { IdentityEmulator } from '../sandbox/identity/index.js';
import type { KeyVaultEmulator } from '../sandbox/keyvault/index.js';
import type { PostgresServer } from '../sandbox/postgres.js';

export interface FaultContext {
  identity?: IdentityEmulator | undefined;
  vault?: KeyVaultEmulator | undefined;
  postgres?: PostgresServer | undefined;
}

export interface LocalFault {
  name: string;
  what: string;
  /** Starts the fault; returns a function that ends it early (at stop), if it runs on a timer. */
  apply(context: FaultContext): () => void;
}

function later(ms: number, task: () => void): () => void {
  const timer = setTimeout(task, ms);
  return () => clearTimeout(timer);
}

export const localFaults: readonly LocalFault[] = [
  {
    name: 'identity-throttled',
    what: 'the managed-identity endpoint answers 429 with Retry-After: 5 to the first two token requests',
    apply({ identity }) {
      identity?.script('mi', { kind: 'status', status: 429, retryAfter: '5' }, { kind: 'status', status: 429, retryAfter: '5' });
      return () => undefined;
    },
  },
  {
    name: 'identity-outage',
    what: 'the managed-identity endpoint answers 503 (no Retry-After) for the first 20 s',
    apply({ identity }) {
      identity?.setPersistentFault('mi', { kind: 'status', status: 503 });
      return later(20_000, () => identity?.setPersistentFault('mi', undefined));
    },
  },
  {
    name: 'identity-unreachable',
    what: 'the managed-identity endpoint resets every connection for the first 15 s',
    apply({ identity }) {
      identity?.setPersistentFault('mi', { kind: 'reset' });
      return later(15_000, () => identity?.setPersistentFault('mi', undefined));
    },
  },
  {
    name: 'keyvault-throttled',
    what: 'Key Vault answers 429 with Retry-After: 3 to its next three requests',
    apply({ vault }) {
      vault?.script(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 429, retryAfter: '3' })));
      return () => undefined;
    },
  },
  {
    name: 'postgres-down',
    what: 'PostgreSQL stops answering (process paused) for 12 s once the run starts, then comes back',
    apply({ postgres }) {
      if (!postgres) return () => undefined;
      process.kill(postgres.pid, 'SIGSTOP');
      const resume = (): void => {
        try {
          process.kill(postgres.pid, 'SIGCONT');
        } catch {
          /* already gone */
        }
      };
      const cancel = later(12_000, resume);
      return () => {
        cancel();
        resume();
      };
    },
  },
];

export function faultNamed(name: string): LocalFault | undefined {
  return localFaults.find((fault) => fault.name === name);
}
