/**
 * Reads and checks a client certificate file, so that a wrong path, a wrong password, a key that
 * does not match the certificate or one MSAL cannot sign with fails at start-up, naming the setting,
 * instead of as an opaque error on the first invocation; the same checks decide whether a rewritten
 * file may replace a good certificate (certificate-store.ts). The PEM text and the password live
 * only in #private fields: util.inspect, JSON and enumeration cannot reach them.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ClientCertificatePEMCertificate } from '@azure/identity';
import { configurationError } from './errors.js';

const pathSetting = 'AZURE_CLIENT_CERTIFICATE_PATH';
const passwordSetting = 'AZURE_CLIENT_CERTIFICATE_PASSWORD';
/** The smallest RSA key MSAL (jsonwebtoken) signs with, and Entra accepts. */
const minRsaKeyBits = 2048;

interface CertificateFacts {
  /** SHA-1 thumbprint in hex, as the Azure portal shows it: identifies the certificate, not a secret. */
  thumbprint: string;
  notAfter: Date;
  subject: string;
}

export class CheckedCertificate implements CertificateFacts {
  readonly thumbprint: string;
  readonly notAfter: Date;
  readonly subject: string;
  readonly #pem: string;
  readonly #password: string | undefined;

  constructor(pem: string, password: string | undefined, facts: CertificateFacts) {
    this.#pem = pem;
    this.#password = password;
    this.thumbprint = facts.thumbprint;
    this.notAfter = facts.notAfter;
    this.subject = facts.subject;
  }

  /** What ClientCertificateCredential takes: the one way the PEM and password leave this object. */
  credentialCertificate(): ClientCertificatePEMCertificate {
    return { certificate: this.#pem, certificatePassword: this.#password };
  }

  /** True when `pem` is exactly the text this certificate was read from. */
  hasContent(pem: string): boolean {
    return pem === this.#pem;
  }
}

export function readCertificateText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw configurationError(pathSetting, `The client certificate file '${path}' cannot be read (${code}). Point ${pathSetting} at a PEM file holding the private key and the certificate`, error);
  }
}

/** Checks PEM text read from `path` (named in errors); throws configuration_error naming the setting. */
export function checkClientCertificate(pem: string, path: string, password: string | undefined, now: Date): CheckedCertificate {
  const keyBlock = /-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.exec(pem)?.[0];
  const certBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!keyBlock || !certBlock) {
    const missing = !keyBlock ? 'a private key' : 'a certificate';
    throw configurationError(pathSetting, `The file '${path}' has no PEM block with ${missing}. Use a PEM file with both (PFX is not supported; convert it with 'openssl pkcs12 -nodes')`);
  }
  const encrypted = keyBlock.includes('ENCRYPTED');
  if (encrypted && !password) {
    throw configurationError(passwordSetting, `The private key in '${path}' is encrypted but no password is set. Set ${passwordSetting}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyBlock, ...(encrypted ? { passphrase: password } : {}) });
  } catch {
    // The OpenSSL error is not attached: it adds nothing a user can act on.
    const setting = encrypted ? passwordSetting : pathSetting;
    const why = encrypted ? 'the password is wrong' : 'the private key is not valid PEM';
    throw configurationError(setting, `The private key in '${path}' cannot be read: ${why}`);
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certBlock);
  } catch {
    throw configurationError(pathSetting, `The certificate in '${path}' is not valid PEM`);
  }
  if (!certificate.checkPrivateKey(key)) {
    throw configurationError(pathSetting, `The private key in '${path}' does not belong to its certificate (${certificate.subject.replace(/\n/g, ', ')})`);
  }
  // MSAL signs the assertion with RS256/PS256 and refuses RSA keys under 2048 bits: anything else
  // would pass here and fail only at the first acquisition.
  // A private key read from PEM is asymmetric: its type is always set, and an RSA key's details
  // always carry the modulus length (the optional types cover secret keys).
  const type = String(key.asymmetricKeyType);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (type !== 'rsa' || bits < minRsaKeyBits) {
    const what = type === 'rsa' ? `an RSA key of ${bits} bits` : `a key of type ${type}`;
    throw configurationError(pathSetting, `The private key in '${path}' is ${what}; client assertions are signed with RSA keys of at least ${minRsaKeyBits} bits. Use a certificate with an RSA key of ${minRsaKeyBits} bits or more`);
  }
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw configurationError(pathSetting, `The certificate in '${path}' expired on ${notAfter.toISOString()}. Upload a new certificate to the app registration and point ${pathSetting} at it`);
  }
  return new CheckedCertificate(pem, password, {
    thumbprint: certificate.fingerprint.replace(/:/g, ''),
    notAfter,
    subject: certificate.subject.replace(/\n/g, ', '),
  });
}
