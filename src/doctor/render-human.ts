/**
 * The report for a person, in the style of `flutter doctor`: what was read and chosen, one line
 * per check with a mark, the ids and an indented remedy under each failure or warning, and a
 * one-line verdict at the end.
 */
import type { Check, CheckGroup, CheckStatus, DoctorReport, ErrorFacts } from './report.js';

const marks: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗' };
const kindName = { 'managed-identity': 'managed identity', certificate: 'certificate credentials' } as const;

function idsLine(error: ErrorFacts): string | undefined {
  const parts: string[] = [];
  if (error.status !== undefined) parts.push(`status ${error.status}`);
  if (error.platformError) parts.push(`error ${error.platformError}`);
  if (error.errorCodes) parts.push(`errorCodes ${error.errorCodes.map((code) => `AADSTS${code}`).join(',')}`);
  for (const key of ['requestId', 'clientRequestId', 'correlationId', 'traceId', 'retryAt'] as const) {
    const value = error[key];
    if (value !== undefined) parts.push(`${key} ${value}`);
  }
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function checkLines(check: Check): string[] {
  const lines = [`  [${marks[check.status]}] ${check.title}: ${check.finding}`];
  const ids = check.error && check.status !== 'pass' ? idsLine(check.error) : undefined;
  if (ids) lines.push(`        ${ids}`);
  if (check.remedy) lines.push(`        → ${check.remedy.text} [${check.remedy.id}]`);
  return lines;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows.reduce<number[]>((max, row) => row.map((cell, i) => Math.max(max[i] ?? 0, cell.length)), []);
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd());
}

const groupTitles = (report: DoctorReport): Record<CheckGroup, string> => ({
  configuration: 'Configuration',
  endpoint: `Endpoint ${report.credential.endpoint ? new URL(report.credential.endpoint).origin : ''}`.trimEnd(),
  token: 'Tokens',
});

export function renderHuman(report: DoctorReport): string {
  const { credential } = report;
  const lines: string[] = ['Token doctor: can this daemon get tokens?'];
  lines.push(report.localSettingsFile ? `Settings from the environment, then ${report.localSettingsFile} (the environment wins)` : 'Settings from the environment (no local.settings.json in this directory)');
  lines.push('');
  lines.push(`Credential: ${credential.kind ? kindName[credential.kind] : 'none'}${credential.identity ? ` (${credential.identity})` : ''}`);
  lines.push(`  because ${credential.reason}`);
  lines.push('Settings read');
  lines.push(...table(report.settings.map((setting) => [setting.name, setting.display, setting.origin === 'unset' ? '' : `(${setting.origin})`])));
  if (credential.certificate) {
    const { path, thumbprint, subject, notAfter } = credential.certificate;
    lines.push('Certificate file');
    lines.push(...table([['path', path], ['thumbprint', thumbprint], ['subject', subject], ['notAfter', notAfter]]));
  }
  lines.push(`Scopes: ${report.scopes.join(', ')}`);
  const titles = groupTitles(report);
  for (const group of ['configuration', 'endpoint', 'token'] as const) {
    const checks = report.checks.filter((check) => check.group === group);
    if (checks.length === 0) continue;
    lines.push('', titles[group], ...checks.flatMap(checkLines));
  }
  const { verdict } = report;
  lines.push('', `[${verdict.ok ? (verdict.warnings > 0 ? '!' : '✓') : '✗'}] ${verdict.summary}`);
  return `${lines.join('\n')}\n`;
}
