/**
 * The doctor's remedies by stable id: scripts branch on the id in `--json`, the README's table
 * lists the same ids. The text a user sees is built for the situation in remedies.ts.
 */
export const remedyIds = [
  'configuration',
  'certificate-expired',
  'certificate-expiring',
  'certificate-not-registered',
  'certificate-unusable',
  'identity-not-enabled',
  'wrong-user-assigned-id',
  'identity-header-rejected',
  'wrong-tenant',
  'unknown-application',
  'missing-admin-consent',
  'unknown-resource',
  'invalid-scope',
  'throttled',
  'platform-unavailable',
  'endpoint-unreachable',
  'clock-skew',
  'unexpected-answer',
  'request-rejected',
] as const;

export type RemedyId = (typeof remedyIds)[number];
