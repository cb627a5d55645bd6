/**
 * The client certificate in use, following its file (AZURE_CLIENT_CERTIFICATE_PATH) while the app
 * runs: operators and Key Vault auto-renewal rotate it, and stock ClientCertificateCredential reads
 * it only once.
 *
 * Each acquisition asks `current()`, which costs one stat: the file is read only when its
 * signature (mtime, size, inode) changed, and different content replaces the certificate only after
 * passing every start-up check. A half-written or otherwise bad file is refused, the good
 * certificate stays in use, and the file is read again when it changes again. `reloadNow()` reads
 * the file whatever its signature, for when Entra rejected the assertion and the change may be one
 * stat cannot see (rewritten in place with the same size and modification time).
 */
import { statSync } from 'node:fs';
import { checkClientCertificate, readCertificateText, type CheckedCertificate } from './certificate-file.js';
import type { SigningCertificates } from './certificate-source.js';
import { configurationError, isTokenError, type TokenError } from './errors.js';

interface FileSignature {
  mtimeMs: number;
  size: number;
  ino: number;
}

function signatureOf(path: string): FileSignature | undefined {
  try {
    const { mtimeMs, size, ino } = statSync(path);
    return { mtimeMs, size, ino };
  } catch {
    // Missing for a moment (replaced by delete-then-create): keep what we have and look again next time.
    return undefined;
  }
}

function sameSignature(a: FileSignature, b: FileSignature | undefined): boolean {
  return b !== undefined && a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;
}

export class CertificateStore implements SigningCertificates {
  readonly path: string;
  readonly #password: string | undefined;
  #current: CheckedCertificate;
  #seen: FileSignature | undefined;
  #refused: TokenError | undefined;

  private constructor(path: string, password: string | undefined, current: CheckedCertificate, seen: FileSignature | undefined) {
    this.path = path;
    this.#password = password;
    this.#current = current;
    this.#seen = seen;
  }

  /** Reads and checks the file at start-up; a problem is a configuration_error naming the setting. */
  static open(path: string, password: string | undefined, now: Date): CertificateStore {
    const seen = signatureOf(path);
    return new CertificateStore(path, password, checkClientCertificate(readCertificateText(path), path, password, now), seen);
  }

  /** The certificate for the next assertion, switching first to a changed file that passes the checks. */
  current(now: number): CheckedCertificate {
    const signature = signatureOf(this.path);
    if (signature !== undefined && !sameSignature(signature, this.#seen)) this.#consider(signature, now);
    return this.#current;
  }

  /** Reads the file whatever its signature; returns the same object when the certificate did not change. */
  reloadNow(now: number): CheckedCertificate {
    this.#consider(signatureOf(this.path), now);
    return this.#current;
  }

  /** Why the file's latest content was refused (the current certificate stayed in use); never holds key material. */
  get refusedChange(): TokenError | undefined {
    return this.#refused;
  }

  #consider(signature: FileSignature | undefined, now: number): void {
    // Taken before the read: a write that lands after it shows up as a change next time.
    this.#seen = signature;
    try {
      const text = readCertificateText(this.path);
      if (!this.#current.hasContent(text)) this.#current = checkClientCertificate(text, this.path, this.#password, new Date(now));
      this.#refused = undefined;
    } catch (error) {
      this.#refused = isTokenError(error) ? error : configurationError('AZURE_CLIENT_CERTIFICATE_PATH', `The client certificate file '${this.path}' could not be checked`);
    }
  }
}
