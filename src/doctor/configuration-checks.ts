/** The configuration checks: the credential the settings describe, its certificate, any setting that is wrong. */
import { remedyFor, withoutSettingTail } from './remedies.js';
import type { CertificateFacts, Check } from './report.js';
import type { Failure, Situation } from './situation.js';

/** Upload a successor before this: rotation takes an upload, a file change and a few minutes of replication. */
export const certificateRenewalNoticeMs = 30 * 24 * 60 * 60_000;

/** The settings are valid: say which identity, where, in one line. */
export function credentialCheck(situation: Situation): Check {
  const via = situation.endpoint ?? '?';
  const who =
    situation.kind === 'certificate'
      ? `app ${situation.clientId ?? '?'} in tenant ${situation.tenantId ?? '?'}`
      : situation.userAssigned
        ? `user-assigned identity ${situation.userAssigned.setting}=${situation.userAssigned.value}`
        : 'system-assigned identity';
  return { id: 'configuration', group: 'configuration', status: 'pass', title: 'Credential settings', finding: `valid, ${who} via ${via}` };
}

/** A setting that is missing or wrong: the app would not start with it. */
export function configurationCheck(failure: Failure, situation: Situation): Check {
  return {
    id: 'configuration',
    group: 'configuration',
    status: 'fail',
    title: failure.setting ?? 'Configuration',
    finding: withoutSettingTail(failure.message),
    error: { code: failure.code, message: failure.message, setting: failure.setting },
    remedy: remedyFor(failure, situation),
  };
}

/** A setting the doctor itself found wrong, with a remedy written for that setting. */
export function settingProblem(setting: string, message: string, remedyText: string): Check {
  return {
    id: 'configuration',
    group: 'configuration',
    status: 'fail',
    title: setting,
    finding: message,
    error: { code: 'configuration_error', message, setting },
    remedy: { id: 'configuration', text: remedyText },
  };
}

export function certificateCheck(certificate: CertificateFacts, situation: Situation): Check {
  const leftMs = Date.parse(certificate.notAfter) - situation.now;
  const days = Math.floor(leftMs / 86_400_000);
  const left = days >= 1 ? `${days} day${days === 1 ? '' : 's'} left` : `${Math.floor(leftMs / 3_600_000)} h left`;
  const facts = { path: certificate.path, thumbprint: certificate.thumbprint, subject: certificate.subject, notAfter: certificate.notAfter };
  const finding = `${certificate.subject}, thumbprint ${certificate.thumbprint}, valid until ${certificate.notAfter} (${left})`;
  if (leftMs > certificateRenewalNoticeMs) return { id: 'certificate', group: 'configuration', status: 'pass', title: 'Certificate', finding, facts };
  return {
    id: 'certificate',
    group: 'configuration',
    status: 'warn',
    title: 'Certificate',
    finding,
    facts,
    remedy: {
      id: 'certificate-expiring',
      text:
        `The certificate expires on ${certificate.notAfter}. Upload its successor to the app registration${situation.clientId ? ` ${situation.clientId}` : ''} now, then replace the file at ` +
        `${certificate.path}: the app picks up the new file without a restart; retire the old certificate after.`,
    },
  };
}
