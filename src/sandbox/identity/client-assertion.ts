/**
 * Verifies a certificate client assertion (RFC 7523) the way Entra ID does, with node:crypto:
 * the header names the certificate by thumbprint (`x5t` SHA-1 or `x5t#S256` SHA-256), the
 * signature (RS256 or PS256) checks out against that certificate's key, and the claims bind the
 * assertion to this app and this token endpoint and are within their time window.
 * For subject-name/issuer registrations the certificate travels in `x5c` and must chain to the CA.
 * An app may hold several certificates at once (an operator uploads the new one before retiring the
 * old): the assertion is checked against the one it names, and one it names that is not (or no
 * longer) registered gets AADSTS700027, as from Entra.
 * Time checks use the emulator's clock and only look forward (`exp` and the certificate's
 * `notAfter`), so a virtual clock that starts in the past never rejects a fresh assertion; unlike
 * Entra there is no clock-skew allowance, so a test can expire an assertion exactly.
 */
import { X509Certificate, constants, createHash, verify } from 'node:crypto';
import type { AssertionSummary } from './types.js';

export interface RegisteredCertificate {
  certificate: X509Certificate;
  subjectNameIssuer: boolean;
}

/** An app registration: its client id and the certificates currently uploaded to it. */
export interface RegisteredApp {
  clientId: string;
  certificates: readonly RegisteredCertificate[];
}

export type AssertionVerdict =
  | { ok: true; summary: AssertionSummary }
  | { ok: false; summary: AssertionSummary; aadsts: number; description: string };

/** A failure against one certificate; `named` once the assertion is known to be meant for it. */
type Failure = { aadsts: number; description: string; named: boolean };

interface JwtHeader {
  alg?: unknown;
  x5t?: unknown;
  'x5t#S256'?: unknown;
  x5c?: unknown;
}

interface JwtClaims {
  aud?: unknown;
  iss?: unknown;
  sub?: unknown;
  exp?: unknown;
}

function thumbprint(certificate: X509Certificate, algorithm: 'sha1' | 'sha256'): string {
  return createHash(algorithm).update(certificate.raw).digest('base64url');
}

const unpadded = (value: string): string => value.replace(/=+$/, '');

function parseJson<T>(part: string | undefined): T | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

function summarize(header: JwtHeader | undefined): AssertionSummary {
  return {
    alg: typeof header?.alg === 'string' ? header.alg : undefined,
    thumbprintHeader: header?.['x5t#S256'] !== undefined ? 'x5t#S256' : header?.x5t !== undefined ? 'x5t' : undefined,
    thumbprint: typeof header?.['x5t#S256'] === 'string' ? header['x5t#S256'] : typeof header?.x5t === 'string' ? header.x5t : undefined,
    x5cCount: Array.isArray(header?.x5c) ? header.x5c.length : 0,
  };
}

/** Whether `leaf` chains, through the other `x5c` entries if needed, to `ca`. */
function chainsTo(leaf: X509Certificate, chain: X509Certificate[], ca: X509Certificate): boolean {
  let current = leaf;
  for (let depth = 0; depth <= chain.length; depth += 1) {
    if (current.checkIssued(ca) && current.verify(ca.publicKey)) return true;
    const parent = chain.find((candidate) => candidate !== current && current.checkIssued(candidate) && current.verify(candidate.publicKey));
    if (parent === undefined) return false;
    current = parent;
  }
  return false;
}

/** Checks the assertion against one registered certificate; undefined when it passes. */
function checkAgainst(
  parts: string[],
  header: JwtHeader,
  claims: JwtClaims,
  clientId: string,
  registered: RegisteredCertificate,
  context: { tokenEndpoint: string; now: number; ca: X509Certificate },
): Failure | undefined {
  const unnamed = (aadsts: number, description: string): Failure => ({ aadsts, description, named: false });
  const named = (aadsts: number, description: string): Failure => ({ aadsts, description, named: true });
  let signer = registered.certificate;
  if (registered.subjectNameIssuer) {
    if (!Array.isArray(header.x5c) || header.x5c.length === 0) {
      return unnamed(700027, 'Client assertion must carry the certificate chain (x5c) for a subject name and issuer registration.');
    }
    let chain: X509Certificate[];
    try {
      chain = header.x5c.map((entry) => new X509Certificate(Buffer.from(String(entry), 'base64')));
    } catch {
      return unnamed(700027, 'Client assertion x5c contains a certificate that cannot be parsed.');
    }
    signer = chain[0] ?? signer;
    if (!chainsTo(signer, chain.slice(1), context.ca)) return unnamed(700027, 'The certificate in x5c does not chain to a trusted issuer.');
    if (signer.subject !== registered.certificate.subject || signer.issuer !== registered.certificate.issuer) {
      return unnamed(700027, 'The certificate subject name and issuer are not registered on the application.');
    }
  }

  const sha256 = header['x5t#S256'];
  const sha1 = header.x5t;
  const matches =
    typeof sha256 === 'string'
      ? unpadded(sha256) === thumbprint(signer, 'sha256')
      : typeof sha1 === 'string' && unpadded(sha1) === thumbprint(signer, 'sha1');
  if (!matches) return unnamed(700027, 'The certificate with identifier used to sign the client assertion is not registered on application.');

  if (Date.parse(signer.validTo) <= context.now) {
    return named(700027, 'Client assertion contains an invalid signature. [Reason - The key used is expired.]');
  }
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2] ?? '', 'base64url');
  const key =
    header.alg === 'PS256'
      ? { key: signer.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : { key: signer.publicKey, padding: constants.RSA_PKCS1_PADDING };
  if (!verify('sha256', signed, key, signature)) return named(700027, 'Client assertion contains an invalid signature.');

  if (claims.aud !== context.tokenEndpoint) return named(700027, 'Client assertion audience claim does not match the token endpoint.');
  if (claims.iss !== clientId || claims.sub !== clientId) {
    return named(700027, 'Client assertion issuer and subject must both be the client id.');
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= context.now) {
    return named(700024, 'Client assertion is not within its valid time range.');
  }
  return undefined;
}

export function verifyClientAssertion(
  assertion: string,
  app: RegisteredApp,
  context: { tokenEndpoint: string; now: number; ca: X509Certificate },
): AssertionVerdict {
  const parts = assertion.split('.');
  const header = parseJson<JwtHeader>(parts[0]);
  const claims = parseJson<JwtClaims>(parts[1]);
  const summary = summarize(header);
  const fail = (aadsts: number, description: string): AssertionVerdict => ({ ok: false, summary, aadsts, description });
  if (parts.length !== 3 || header === undefined || claims === undefined) return fail(700027, 'Client assertion is not a well-formed JWT.');
  if (header.alg !== 'RS256' && header.alg !== 'PS256') return fail(700027, `Client assertion algorithm ${String(header.alg)} is not supported.`);

  const failures: Failure[] = [];
  for (const registered of app.certificates) {
    const failure = checkAgainst(parts, header, claims, app.clientId, registered, context);
    if (failure === undefined) return { ok: true, summary };
    failures.push(failure);
  }
  // The certificate the assertion names decides; with none named, say why the first did not match.
  const failure = failures.find((f) => f.named) ?? failures[0];
  if (failure === undefined) return fail(700027, 'The certificate with identifier used to sign the client assertion is not registered on application.');
  return fail(failure.aadsts, failure.description);
}
