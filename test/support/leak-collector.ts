/**
 * Collects everything a functions suite lets out of the app (log lines the handlers wrote
 * through their InvocationContext, telemetry items as recorded) so that the suite can end with a
 * leak scan: no token the identity emulator issued, no secret value the vault holds, no
 * IDENTITY_HEADER may appear anywhere.
 */
import { inspect } from 'node:util';
import { findLeaks, type Haystack, type Secret } from '../telemetry/support/secret-scan.js';

export class LeakCollector {
  protected readonly haystacks: Haystack[] = [];

  /** Any text that left the app, under a label that says where it was found. */
  add(label: string, text: string): void {
    this.haystacks.push({ label, text });
  }

  /** An InvocationContext `logHandler`. */
  readonly logHandler = (level: string, ...args: unknown[]): void => {
    this.haystacks.push({ label: `log (${level})`, text: args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 6 }))).join(' ') });
  };

  /** Keeps a copy of recorded telemetry items (including error messages, stacks and causes). */
  addTelemetry(items: readonly unknown[]): void {
    for (const item of items) this.haystacks.push({ label: 'telemetry item', text: inspect(item, { depth: 8 }) });
  }

  get size(): number {
    return this.haystacks.length;
  }

  leaks(secrets: readonly Secret[]): string[] {
    return findLeaks(this.haystacks, secrets);
  }
}
