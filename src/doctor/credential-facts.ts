/**
 * What the chosen credential is, for the report (identity, endpoint, the certificate file's
 * public facts) and for the remedies (tenant, app, user-assigned id). Never the PEM, the key,
 * the password or IDENTITY_HEADER.
 */
import { certificateIdentityName } from '../auth/certificate-source.js';
import { CertificateStore } from '../auth/certificate-store.js';
import type { CredentialSettings } from '../auth/credential-settings.js';
import { managedIdentityName, type UserAssignedId } from '../auth/managed-identity-source.js';
import type { CertificateFacts, CredentialFacts } from './report.js';
import type { Situation } from './situation.js';

const userAssignedSetting: Record<UserAssignedId['kind'], string> = {
  'client-id': 'MANAGED_IDENTITY_CLIENT_ID',
  'resource-id': 'MANAGED_IDENTITY_RESOURCE_ID',
  'object-id': 'MANAGED_IDENTITY_OBJECT_ID',
};

function certificateFacts(settings: Extract<CredentialSettings, { kind: 'certificate' }>, now: number): CertificateFacts | undefined {
  const store = settings.certificate.certificate;
  if (!(store instanceof CertificateStore)) return undefined;
  const current = store.current(now);
  return { path: store.path, thumbprint: current.thumbprint, subject: current.subject, notAfter: current.notAfter.toISOString() };
}

export interface DescribedCredential {
  facts: Omit<CredentialFacts, 'reason' | 'kind'>;
  situation: Omit<Situation, 'now' | 'clockOffsetMs'>;
}

export function describeCredential(settings: CredentialSettings, now: number): DescribedCredential {
  if (settings.kind === 'managed-identity') {
    const mi = settings.managedIdentity;
    const userAssigned = mi.userAssigned ? { setting: userAssignedSetting[mi.userAssigned.kind], value: mi.userAssigned.value } : undefined;
    return {
      facts: { identity: managedIdentityName(mi), endpoint: mi.endpoint },
      situation: { kind: 'managed-identity', endpoint: mi.endpoint, userAssigned },
    };
  }
  const cert = settings.certificate;
  const certificate = certificateFacts(settings, now);
  return {
    facts: { identity: certificateIdentityName(cert), endpoint: cert.authorityHost, certificate },
    situation: { kind: 'certificate', endpoint: cert.authorityHost, tenantId: cert.tenantId, clientId: cert.clientId, certificate },
  };
}
