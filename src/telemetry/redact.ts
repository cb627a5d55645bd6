/**
 * Redaction: nothing that grants access leaves the process in telemetry or logs. Error messages
 * and causes copied from `@azure/identity` or an HTTP body can quote a token, a client assertion,
 * an `IDENTITY_HEADER` value or a password, so every string on its way out goes through here.
 *
 * Two layers: patterns that recognise secret-shaped text (JWTs, `Bearer …`, `client_assertion=…`,
 * PEM blocks, `password=…`), and exact values registered at start-up (the identity header, the
 * certificate password) that no pattern could recognise.
 */
import type { TelemetryProperties } from './telemetry.js';

export const REDACTED = '[REDACTED]';

/** Shorter registered values would shred ordinary words out of messages. */
const MIN_REGISTERED_SECRET_LENGTH = 4;
/** A cause chain deeper than this is a loop or not worth reading. */
const MAX_CAUSE_DEPTH = 5;

/** Names whose values are secrets whatever they look like (query strings, form bodies, JSON, headers). */
const SECRET_KEY_NAMES = [
  'client_assertion',
  'client_secret',
  'access_token',
  'refresh_token',
  'id_token',
  'assertion',
  'password',
  'passwd',
  'pwd',
  'secret',
  'x-identity-header',
  'identity_header',
  'x-ms-identity-header',
  'authorization',
  'sig',
].join('|');

const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // PEM blocks (private keys, certificates), also when truncated before the END line.
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, '[REDACTED PEM]'],
  // `Bearer <token>` in headers or messages.
  [/\bBearer\s+[^\s"',;]+/gi, `Bearer ${REDACTED}`],
  // key=value, key: value, "key":"value" for secret-named keys.
  [new RegExp(`\\b(${SECRET_KEY_NAMES})(["']?\\s*[:=]\\s*["']?)(?!\\[REDACTED)[^\\s"'&,;}]+`, 'gi'), `$1$2${REDACTED}`],
  // JWT-looking strings (JOSE header `{"…` base64url-encoded starts with eyJ).
  [/\beyJ[\w-]{2,}\.[\w-]{2,}\.?[\w-]*/g, REDACTED],
  // Other three-part base64url strings long enough to be signed tokens.
  [/\b[\w-]{20,}\.[\w-]{20,}\.[\w-]{20,}\b/g, REDACTED],
];

const registeredSecrets = new Set<string>();
let registeredInOrder: string[] = [];

/** Registers an exact value (e.g. the IDENTITY_HEADER value) to be replaced wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  if (value === undefined || value === null) return;
  const trimmed = value.trim();
  if (trimmed.length < MIN_REGISTERED_SECRET_LENGTH || registeredSecrets.has(trimmed)) return;
  registeredSecrets.add(trimmed);
  // Longest first, so a secret that contains another is replaced whole.
  registeredInOrder = [...registeredSecrets].sort((a, b) => b.length - a.length);
}

/** The settings whose values are secrets in this app (see design section 3). */
export const SECRET_SETTINGS = [
  'IDENTITY_HEADER',
  'MSI_SECRET',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'AZURE_CLIENT_ASSERTION',
] as const;

export function registerSecretsFromEnvironment(env: Readonly<Record<string, string | undefined>>): void {
  for (const name of SECRET_SETTINGS) registerSecret(env[name]);
}

export function redactText(text: string): string {
  let result = text;
  for (const secret of registeredInOrder) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

const SECRET_KEY = new RegExp(`^(?:${SECRET_KEY_NAMES}|token)$`, 'i');

/** Redacts every string value; a property named like a secret loses its value entirely. */
export function redactProperties(properties: TelemetryProperties | undefined): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = {};
  if (properties === undefined) return result;
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined) continue;
    if (SECRET_KEY.test(key)) result[key] = REDACTED;
    else result[key] = typeof value === 'string' ? redactText(value) : value;
  }
  return result;
}

export interface RedactedError {
  name: string;
  message: string;
  stack: string | undefined;
  /** `Name: message` of each cause, outermost first, joined by ` <- `; redacted. */
  causeChain: string | undefined;
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A copy of the facts of an error with every secret-shaped string removed; the original is untouched. */
export function redactError(error: unknown): RedactedError {
  const name = error instanceof Error ? error.name : 'Error';
  const message = redactText(error instanceof Error ? error.message : describe(error));
  const stack = error instanceof Error && typeof error.stack === 'string' ? redactText(error.stack) : undefined;
  const causes: string[] = [];
  let cause = error instanceof Error ? error.cause : undefined;
  const seen = new Set<unknown>([error]);
  while (cause !== undefined && cause !== null && causes.length < MAX_CAUSE_DEPTH && !seen.has(cause)) {
    seen.add(cause);
    causes.push(redactText(describe(cause)));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return { name, message, stack, causeChain: causes.length > 0 ? causes.join(' <- ') : undefined };
}

/** Builds an Error carrying only redacted text, for SDKs that serialise `message` and `stack`. */
export function toRedactedErrorObject(error: unknown): Error {
  const facts = redactError(error);
  const copy = new Error(facts.message);
  copy.name = facts.name;
  copy.stack = facts.stack ?? `${facts.name}: ${facts.message}`;
  return copy;
}
