/**
 * What `npm run doctor` found, as plain data: the human renderer and `--json` print the same
 * report. Nothing in it is secret by construction: settings carry display values (secrets as
 * `set (hidden)`), errors carry their codes and ids but never their cause, tokens are never kept.
 */
import type { CredentialSource } from '../auth/errors.js';
import type { RemedyId } from './remedy-ids.js';

/** `pass` ✓, `warn` ! (works, but look at it), `fail` ✗. Only `fail` makes the exit status non-zero. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

export type CheckGroup = 'configuration' | 'endpoint' | 'token';

export interface Remedy {
  /** Stable id for scripts (`--json`) and the README's table. */
  id: RemedyId;
  /** What to do, concretely, for this situation. */
  text: string;
}

/** A TokenError's facts: every id support asks for, never its cause. */
export interface ErrorFacts {
  code: string;
  message: string;
  status?: number | undefined;
  /** The platform's `error` field, e.g. `invalid_client`. */
  platformError?: string | undefined;
  /** AADSTS numbers. */
  errorCodes?: number[] | undefined;
  requestId?: string | undefined;
  clientRequestId?: string | undefined;
  correlationId?: string | undefined;
  traceId?: string | undefined;
  /** When the provider will send the next request for this identity (ISO time). */
  retryAt?: string | undefined;
  retryAfterMs?: number | undefined;
  /** The setting a configuration error is about. */
  setting?: string | undefined;
  /** False when the provider failed fast (gate closed) without sending a request. */
  requestSent?: boolean | undefined;
}

/** One HTTP exchange with the identity platform during a token check. */
export interface RequestFact {
  /** `METHOD /path`. */
  name: string;
  target: string;
  status?: number | undefined;
  durationMs: number;
  requestId?: string | undefined;
  clientRequestId?: string | undefined;
}

export interface Check {
  /** Stable id: `configuration`, `certificate`, `endpoint.dns|tcp|tls|http`, `clock`, `token`. */
  id: string;
  group: CheckGroup;
  status: CheckStatus;
  /** Short name of what was checked, e.g. `DNS` or the scope. */
  title: string;
  /** The finding, one line. */
  finding: string;
  scope?: string | undefined;
  /** Measured facts (durations, expiry, addresses) for scripts. */
  facts?: Record<string, string | number | boolean | undefined> | undefined;
  error?: ErrorFacts | undefined;
  /** Token checks: what went over the wire. */
  requests?: RequestFact[] | undefined;
  remedy?: Remedy | undefined;
}

export type SettingOrigin = 'environment' | 'local.settings.json' | 'unset';

export interface SettingFact {
  name: string;
  /** What may be shown: the value, `set (hidden)` for a secret, or `unset`. */
  display: string;
  origin: SettingOrigin;
  secret: boolean;
}

export interface CertificateFacts {
  path: string;
  thumbprint: string;
  subject: string;
  notAfter: string;
}

export interface CredentialFacts {
  /** Undefined when the configuration does not name one. */
  kind: CredentialSource | undefined;
  /** Why this credential, from configuration alone. */
  reason: string;
  /** The provider's non-secret identity name, once the settings are valid. */
  identity?: string | undefined;
  /** Managed identity: the token endpoint; certificate: the authority host. */
  endpoint?: string | undefined;
  certificate?: CertificateFacts | undefined;
}

export interface Verdict {
  ok: boolean;
  passed: number;
  warnings: number;
  failed: number;
  summary: string;
}

export interface DoctorReport {
  checkedAt: string;
  /** `local.settings.json` read from the current directory, when there was one. */
  localSettingsFile?: string | undefined;
  credential: CredentialFacts;
  settings: SettingFact[];
  scopes: string[];
  checks: Check[];
  verdict: Verdict;
}

export function verdictOf(checks: readonly Check[]): Verdict {
  const count = (status: CheckStatus): number => checks.filter((check) => check.status === status).length;
  const [passed, warnings, failed] = [count('pass'), count('warn'), count('fail')];
  const total = checks.length;
  const checksOf = (n: number): string => `${n} check${n === 1 ? '' : 's'}`;
  const warned = warnings === 0 ? '' : `, ${warnings} with a warning`;
  if (failed === 0) return { ok: true, passed, warnings, failed, summary: `All ${checksOf(total)} passed${warned}: this daemon can get tokens.` };
  const tokenFailures = checks.filter((check) => check.group === 'token' && check.status === 'fail');
  const tokensChecked = checks.some((check) => check.group === 'token');
  const what = !tokensChecked
    ? 'no token was requested until that is fixed'
    : tokenFailures.length === 0
      ? 'tokens come, but look at the failures above'
      : `no token for ${tokenFailures.map((check) => check.scope ?? check.title).join(', ')}`;
  return { ok: false, passed, warnings, failed, summary: `${failed} of ${checksOf(total)} failed${warned}: ${what}.` };
}
