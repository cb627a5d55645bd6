/**
 * The leak scan every reliability section ends with. It collects what left the app during the
 * section (log lines, telemetry items and envelopes, error messages with stacks and cause chains,
 * and every way a public object is printed) and looks for every secret the section handed out:
 * tokens the identity emulator issued, values the Key Vault emulator holds, certificate and key
 * material (line by line), certificate passwords and IDENTITY_HEADER. Secrets are read at scan
 * time, so tokens issued during the section count.
 *
 *   const leaks = new LeakScan().watchIdentity(stack.identity).watchVault(stack.vault).watchCertificate(cert);
 *   host option onLog: leaks.logHandler; leaks.addTelemetry(items); leaks.addError('row x', error); leaks.addObject('provider', p);
 *   rows.push(… leaks.check() …)
 */
import { format, inspect } from 'node:util';
import { LeakCollector } from '../../support/leak-collector.js';
import { pemSecrets, type Secret } from '../../telemetry/support/secret-scan.js';
import { check, type Check } from '../matrix.js';

export type { Secret } from '../../telemetry/support/secret-scan.js';

/** A cause chain deeper than this is a loop. */
const maxCauseDepth = 8;

export interface ScanResult {
  /** `secret label in haystack label`, one per hit. */
  hits: string[];
  haystacks: number;
  secrets: number;
}

export class LeakScan extends LeakCollector {
  private readonly sources: (() => Secret[])[] = [];

  /** Secrets known now or later (a function is read at scan time). */
  watch(secrets: readonly Secret[] | (() => Secret[])): this {
    this.sources.push(typeof secrets === 'function' ? secrets : () => [...secrets]);
    return this;
  }

  /** Every token the emulator has issued, and the App Service identity header. */
  watchIdentity(identity: { readonly issuedTokens: readonly { token: string }[]; readonly identityHeader: string }): this {
    return this.watch(() => [
      { label: 'IDENTITY_HEADER', value: identity.identityHeader },
      ...identity.issuedTokens.map((t, i) => ({ label: `issued token ${i + 1}`, value: t.token })),
    ]);
  }

  /** Every value the vault holds, all versions. */
  watchVault(vault: { readonly secretValues: readonly string[] }): this {
    return this.watch(() => [...new Set(vault.secretValues)].map((value, i) => ({ label: `Key Vault secret value ${i + 1}`, value })));
  }

  /** The key and certificate PEM (each line) and the password, when there is one. */
  watchCertificate(certificate: { name?: string; keyPem: string; certPem: string; password?: string | undefined }): this {
    const name = certificate.name ?? 'client certificate';
    const password = certificate.password ? [{ label: `${name} password`, value: certificate.password }] : [];
    return this.watch([...pemSecrets(`${name} private key`, certificate.keyPem), ...pemSecrets(`${name} certificate`, certificate.certPem), ...password]);
  }

  /** Envelopes an ingestion capture received, as they went over the wire. */
  addEnvelopes(envelopes: readonly unknown[]): void {
    for (const envelope of envelopes) this.add('telemetry envelope', JSON.stringify(envelope));
  }

  /** An error as people meet it: message, stack, every cause down the chain, and its inspection. */
  addError(label: string, error: unknown): void {
    let current: unknown = error;
    for (let depth = 0; depth < maxCauseDepth && current !== undefined && current !== null; depth++) {
      const where = depth === 0 ? label : `${label} cause ${depth}`;
      if (current instanceof Error) {
        this.add(`${where} message`, current.message);
        this.add(`${where} stack`, current.stack ?? '');
      } else {
        this.add(`${where} value`, inspect(current, { depth: 6 }));
      }
      current = (current as { cause?: unknown }).cause;
    }
    this.add(`${label} inspect`, inspect(error, { depth: Infinity }));
  }

  /** Every way an object reaches a log line or a dump (the dumps safe-inspection.test.ts checks). */
  addObject(label: string, value: unknown): void {
    this.add(`${label} inspect`, inspect(value, { depth: Infinity }));
    this.add(`${label} context.log`, format(value));
    this.add(`${label} %o`, format('%o', value));
    this.add(`${label} JSON`, safeJson(value));
  }

  secrets(): Secret[] {
    return this.sources.flatMap((source) => source());
  }

  scan(): ScanResult {
    const secrets = this.secrets();
    return { hits: this.leaks(secrets), haystacks: this.size, secrets: secrets.length };
  }

  /** The zero-hit rule as a matrix check. An empty scan fails: it would prove nothing. */
  check(): Check {
    const { hits, haystacks, secrets } = this.scan();
    const detail = hits.length === 0 ? `${secrets} secrets × ${haystacks} texts, 0 hits` : `${hits.length} hits: ${hits.slice(0, 3).join('; ')}`;
    return check('no token, secret value, key material, password or IDENTITY_HEADER in any log, telemetry item, error or dump', hits.length === 0 && haystacks > 0 && secrets > 0, detail);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch (error) {
    return `(not serialisable: ${(error as Error).message})`;
  }
}
