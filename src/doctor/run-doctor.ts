/**
 * The doctor's sequence: read the settings as `func start` would, let src/auth choose and check
 * the credential, reach its endpoint step by step, acquire one token per scope through the real
 * provider, compare clocks, and explain every failure. Returns the report and the secret values
 * the caller must keep out of whatever it prints.
 */
import { credentialSettingsFromEnvironment, tokenRequestTimeoutSetting, type CredentialSettings } from '../auth/credential-settings.js';
import { isTokenError, type TokenError } from '../auth/errors.js';
import type { Environment } from '../environment.js';
import { acquireTokens } from './acquire-tokens.js';
import { certificateCheck, configurationCheck, credentialCheck } from './configuration-checks.js';
import { clockCheck, largestOffset, type DateObservation } from './clock-skew.js';
import { explainChoice } from './credential-choice.js';
import { describeCredential } from './credential-facts.js';
import { probeEndpoint, type ProbeTarget } from './endpoint-checks.js';
import { extraTrust } from './extra-trust.js';
import { verdictOf, type Check, type CredentialFacts, type DoctorReport } from './report.js';
import { chooseScopes, defaultScopes } from './scopes.js';
import { secretValues, settingFacts } from './setting-facts.js';
import { loadSettings, type LoadedSettings } from './settings-source.js';
import type { Situation } from './situation.js';
import { tokenCheck } from './token-check.js';

export interface DoctorOptions {
  env: Environment;
  cwd: string;
  /** `--scope`: replaces the default scopes. */
  scopes?: readonly string[] | undefined;
  /** `--add-scope`: added to them. */
  addScopes?: readonly string[] | undefined;
}

export interface DoctorRun {
  report: DoctorReport;
  /** Values that must never appear in output (IDENTITY_HEADER, the certificate password, …). */
  secrets: string[];
}

const defaultTimeoutMs = 10_000;

function probeTargetOf(credential: CredentialSettings, settings: LoadedSettings): Pick<ProbeTarget, 'kind' | 'url' | 'setting'> {
  if (credential.kind === 'managed-identity') {
    const mi = credential.managedIdentity;
    const imdsSetting = settings.peek('AZURE_POD_IDENTITY_AUTHORITY_HOST')?.trim() ? 'AZURE_POD_IDENTITY_AUTHORITY_HOST' : 'IMDS (default address)';
    return { kind: 'managed-identity', url: new URL('/', mi.endpoint), setting: mi.protocol === 'app-service' ? 'IDENTITY_ENDPOINT' : imdsSetting };
  }
  const cert = credential.certificate;
  const discovery = new URL(`/${encodeURIComponent(cert.tenantId)}/v2.0/.well-known/openid-configuration`, cert.authorityHost);
  return { kind: 'certificate', url: discovery, setting: 'AZURE_AUTHORITY_HOST' };
}

function readTimeout(settings: LoadedSettings, checks: Check[], situation: Situation): number {
  try {
    return tokenRequestTimeoutSetting(settings.env) ?? defaultTimeoutMs;
  } catch (error) {
    if (!isTokenError(error)) throw error;
    checks.push(configurationCheck(error, situation));
    return defaultTimeoutMs;
  }
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorRun> {
  const now = Date.now();
  const settings = loadSettings(options.env, options.cwd);
  const checks: Check[] = [];
  if (settings.problem) checks.push(configurationCheck({ code: 'configuration_error', message: settings.problem, setting: 'local.settings.json' }, { kind: undefined, now }));

  let credential: CredentialSettings | undefined;
  let failure: TokenError | undefined;
  try {
    credential = credentialSettingsFromEnvironment(settings.env, new Date(now));
  } catch (error) {
    if (!isTokenError(error)) throw error;
    failure = error;
  }
  const choice = explainChoice((name) => settings.peek(name)?.trim() || undefined);
  const described = credential ? describeCredential(credential, now) : undefined;
  const situation: Situation = { kind: credential?.kind ?? choice.kind, ...described?.situation, now };
  const facts: CredentialFacts = { kind: credential?.kind ?? choice.kind, reason: choice.reason, ...described?.facts };
  checks.push(failure ? configurationCheck(failure, situation) : credentialCheck(situation));
  if (facts.certificate) checks.push(certificateCheck(facts.certificate, situation));
  const timeoutMs = readTimeout(settings, checks, situation);
  const sql = defaultScopes(settings.env['SQL_ENGINE']);
  if (sql.problem) checks.push(sql.problem);
  const scopes = chooseScopes(sql.scopes, options.scopes ?? [], options.addScopes ?? []);

  if (credential) {
    const target = probeTargetOf(credential, settings);
    const trust = target.url.protocol === 'https:' ? extraTrust(settings) : {};
    if (trust.problem) checks.push(trust.problem);
    const probe = await probeEndpoint({ ...target, timeoutMs, ca: trust.ca, situation });
    checks.push(...probe.checks);
    const tokens = await acquireTokens({ credential, scopes, requestTimeoutMs: timeoutMs, trustedCa: trust.ca });
    const dates: DateObservation[] = [...probe.dates, ...tokens.dates];
    const clock = clockCheck(dates);
    if (clock) checks.push(clock);
    const explained: Situation = { ...situation, now: Date.now(), clockOffsetMs: largestOffset(dates)?.offsetMs };
    checks.push(...tokens.attempts.map((attempt) => tokenCheck(attempt, explained)));
  }

  const report: DoctorReport = {
    checkedAt: new Date(now).toISOString(),
    localSettingsFile: settings.file,
    credential: facts,
    settings: settingFacts(settings),
    scopes,
    checks,
    verdict: verdictOf(checks),
  };
  return { report, secrets: secretValues(settings) };
}
