/** What the identity rows share: one test CA and one registered client certificate, made once per section. */
import type { ClientCertificate, TestCa } from '../../../../src/sandbox/ca.js';
import { createTestCa } from '../../../../src/sandbox/ca.js';
import type { IdentityTarget } from '../../../../src/sandbox/identity/index.js';
import type { CredentialKind } from '../../matrix.js';

export interface IdentityContext {
  ca: TestCa;
  certificate: ClientCertificate;
}

export function startIdentityContext(): IdentityContext {
  const ca = createTestCa();
  return { ca, certificate: ca.makeClientCertificate('reliability-app') };
}

export function targetOf(kind: CredentialKind): IdentityTarget {
  return kind === 'managed-identity' ? 'mi' : 'entra';
}

/** The code a lost or late answer gets, per credential (design.md §4). */
export function unreachableCode(kind: CredentialKind): 'managed_identity_unreachable_network' | 'identity_platform_unreachable' {
  return kind === 'managed-identity' ? 'managed_identity_unreachable_network' : 'identity_platform_unreachable';
}

/** The code an unusable answer or a 5xx gets, per credential (design.md §4). */
export function failedAnswerCode(kind: CredentialKind): 'managed_identity_failed_response' | 'identity_platform_unavailable' {
  return kind === 'managed-identity' ? 'managed_identity_failed_response' : 'identity_platform_unavailable';
}
