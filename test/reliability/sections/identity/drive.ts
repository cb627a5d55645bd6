/**
 * Callers on virtual time: a caller every `periodMs` asks the provider for a token, as a busy
 * worker would, while the clock moves on. Calls are never awaited in the loop (a caller joined to
 * a hung request must not stop time), only recorded; `finish` lets every one of them settle.
 */
import type { ProviderToken } from '../../../../src/auth/types.js';
import type { Fixture } from '../../../auth/provider-fixture.js';
import { startFixture, vaultScope } from '../../../auth/provider-fixture.js';
import { LeakScan } from '../../checks/leak-scan.js';
import type { CredentialKind, RowOutcome } from '../../matrix.js';
import type { IdentityContext } from './context.js';

/** The provider's request deadline in every identity row (on the injected clock). */
export const requestTimeoutMs = 10_000;

/** A fresh emulator and provider for one row, stopped whatever the row does. */
export async function withFixture(kind: CredentialKind, context: IdentityContext, work: (f: Fixture) => Promise<RowOutcome>): Promise<RowOutcome> {
  const f = await startFixture({ kind, ca: context.ca, certificate: context.certificate, requestTimeoutMs });
  try {
    const outcome = await work(f);
    return { ...outcome, checks: [...outcome.checks, leakCheck(f, context)] };
  } finally {
    await f.stop();
  }
}

/**
 * Every row ends with a leak scan of what the provider let out: each event it raised (the errors
 * telemetry and logs receive, with their causes) and every way the provider and its credential
 * adapter can be dumped, against the tokens issued, the identity header and the certificate.
 */
function leakCheck(f: Fixture, context: IdentityContext) {
  const leaks = new LeakScan().watchIdentity(f.identity).watchCertificate({ ...context.certificate, name: 'client certificate' });
  f.events.forEach((event, i) => {
    leaks.addObject(`event ${i + 1} (${event.type})`, event);
    if ('error' in event) leaks.addError(`event ${i + 1} error`, event.error);
  });
  leaks.addObject('provider', f.provider);
  leaks.addObject('credential adapter', f.provider.credential);
  return leaks.check();
}

export interface CallRecord {
  /** Virtual time the caller asked. */
  at: number;
  /** Virtual time it got its answer; undefined while pending. */
  settledAt?: number;
  token?: ProviderToken;
  error?: unknown;
}

export class Callers {
  readonly calls: CallRecord[] = [];

  constructor(private readonly f: Fixture) {}

  /** One caller asks now; resolves once any request it started has reached the emulator or ended. */
  async call(): Promise<CallRecord> {
    const record: CallRecord = { at: this.f.clock.now() };
    this.calls.push(record);
    void this.f.provider.getToken(vaultScope).then(
      (token) => Object.assign(record, { settledAt: this.f.clock.now(), token }),
      (error: unknown) => Object.assign(record, { settledAt: this.f.clock.now(), error }),
    );
    await this.f.settled();
    return record;
  }

  /** A caller every `periodMs` for `forMs` (the first one now), or until `until` holds after a call. */
  async every(periodMs: number, forMs: number, until?: (record: CallRecord) => boolean): Promise<void> {
    const end = this.f.clock.now() + forMs;
    for (;;) {
      const record = await this.call();
      await this.f.clock.advance(0);
      if (until?.(record) || this.f.clock.now() + periodMs > end) return;
      await this.f.clock.advance(periodMs);
    }
  }

  /** Moves the clock past any pending deadline so that every call has settled. */
  async finish(deadlineMs: number): Promise<void> {
    for (let round = 0; round < 3 && this.calls.some((c) => c.settledAt === undefined); round += 1) await this.f.clock.advance(deadlineMs + 1);
  }

  get failures(): CallRecord[] {
    return this.calls.filter((c) => c.error !== undefined);
  }

  get served(): CallRecord[] {
    return this.calls.filter((c) => c.token !== undefined);
  }

  /** The longest a settled caller waited, in virtual ms. */
  get longestWaitMs(): number {
    return Math.max(0, ...this.calls.map((c) => (c.settledAt ?? c.at) - c.at));
  }
}
