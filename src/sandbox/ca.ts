/**
 * A throwaway certificate authority made at test run time with the openssl CLI: a CA, a TLS
 * server certificate for 127.0.0.1/localhost, and client certificates for the certificate flow.
 * Child processes trust the CA through NODE_EXTRA_CA_CERTS; nothing is written outside `dir`.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOnExit } from './cleanup.js';

export interface ClientCertificate {
  /** PEM file with the private key then the certificate (what AZURE_CLIENT_CERTIFICATE_PATH points at). */
  path: string;
  certPem: string;
  keyPem: string;
  /** Base64url SHA-1 thumbprint (JWT `x5t`) and SHA-256 (`x5t#S256`). */
  x5t: string;
  x5tS256: string;
  password?: string | undefined;
}

/** RSA 2048 is what Entra and MSAL expect; the others exist to prove they are refused at start-up. */
export type ClientKeyKind = 'rsa-2048' | 'rsa-1024' | 'ec-p256' | 'rsa-pss-2048';

const newKeyArgs: Record<ClientKeyKind, string[]> = {
  'rsa-2048': ['-newkey', 'rsa:2048'],
  'rsa-1024': ['-newkey', 'rsa:1024'],
  'ec-p256': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  // An RSA modulus restricted to PSS padding: its own key type, not 'rsa'.
  'rsa-pss-2048': ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048'],
};

export interface TestCa {
  dir: string;
  caCertPath: string;
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  /** `subject` is openssl's `-subj` form (default `/CN=<name>`). */
  makeClientCertificate(name: string, options?: { password?: string; days?: number; includeCaInChain?: boolean; key?: ClientKeyKind; subject?: string }): ClientCertificate;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function thumbprint(certPem: string, algorithm: 'sha1' | 'sha256'): string {
  const der = new X509Certificate(certPem).raw;
  return createHash(algorithm).update(der).digest('base64url');
}

export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'rdf-ca-'));
  const forget = removeOnExit(dir);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=rdf test CA'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'], dir);
  const caCertPath = join(dir, 'ca.pem');
  const caCertPem = readFileSync(caCertPath, 'utf8');

  return {
    dir,
    caCertPath,
    caCertPem,
    serverCertPem: readFileSync(join(dir, 'server.pem'), 'utf8'),
    serverKeyPem: readFileSync(join(dir, 'server.key'), 'utf8'),
    makeClientCertificate(name, options = {}) {
      const days = String(options.days ?? 2);
      openssl(['req', ...newKeyArgs[options.key ?? 'rsa-2048'], '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', options.subject ?? `/CN=${name}`], dir);
      openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', days], dir);
      let keyPem = readFileSync(join(dir, `${name}.key`), 'utf8');
      if (options.password !== undefined) {
        openssl(['pkcs8', '-topk8', '-in', `${name}.key`, '-out', `${name}.enc.key`, '-v2', 'aes-256-cbc', '-passout', `pass:${options.password}`], dir);
        keyPem = readFileSync(join(dir, `${name}.enc.key`), 'utf8');
      }
      const certPem = readFileSync(join(dir, `${name}.crt`), 'utf8');
      const bundle = keyPem + certPem + (options.includeCaInChain ? caCertPem : '');
      const path = join(dir, `${name}.bundle.pem`);
      writeFileSync(path, bundle);
      return { path, certPem, keyPem, x5t: thumbprint(certPem, 'sha1'), x5tS256: thumbprint(certPem, 'sha256'), password: options.password };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      forget();
    },
  };
}
