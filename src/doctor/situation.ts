/**
 * What the doctor knows about the setup when it explains a failure: remedies name the actual
 * tenant, app, identity and endpoint instead of telling people to "check the configuration".
 */
import type { CredentialSource } from '../auth/errors.js';
import type { CertificateFacts } from './report.js';

export interface Situation {
  kind: CredentialSource | undefined;
  /** The setting that picks a user-assigned identity, and its value. */
  userAssigned?: { setting: string; value: string } | undefined;
  /** Managed identity: the token endpoint. Certificate: the authority host. */
  endpoint?: string | undefined;
  tenantId?: string | undefined;
  clientId?: string | undefined;
  certificate?: CertificateFacts | undefined;
  /**
   * This clock minus the identity platform's (HTTP `Date` header), the largest seen, in ms;
   * positive when this clock is ahead. Undefined when no answer carried a Date.
   */
  clockOffsetMs?: number | undefined;
  /** Clock time of the check, ms since the epoch. */
  now: number;
}

/** The failure being explained: a TokenError's fields, or the same facts from elsewhere. */
export interface Failure {
  code: string;
  message: string;
  status?: number | undefined;
  errorCodes?: number[] | undefined;
  platformError?: string | undefined;
  setting?: string | undefined;
  scope?: string | undefined;
  retryAt?: number | undefined;
}
