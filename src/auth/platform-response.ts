/**
 * Reading what the identity platform answered, without trusting it: token bodies (expiry from
 * `expires_in`/`expires_on`, never from decoding the token) and error bodies (correlation ids).
 */
import { expiryAgreementMs } from './defaults.js';
import type { TokenResponse } from './token-source.js';

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `expires_on` is epoch seconds (number or numeric string) or, from older App Service versions, a date string. */
function expiresOnMs(value: unknown): number | undefined {
  const seconds = asNumber(value);
  if (seconds !== undefined) return seconds * 1000;
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/**
 * The token's expiry from what the server said, never from the token itself.
 *
 * Managed-identity hosts (IMDS, App Service) cache a token server-side and hand the same token
 * out again with a fixed `expires_on` (whole epoch seconds) and an `expires_in` that counts down
 * in whole seconds. "Receipt time + `expires_in`" therefore comes out slightly different on every
 * answer for the same token, which is how an earlier-looking expiry once stalled refresh-ahead in
 * a request loop. So when both are present and agree (within `expiryAgreementMs`, the rounding
 * and transit of `expires_in`), the absolute `expires_on` wins: it is the same number each time.
 * When they disagree, this host's clock and the server's differ, and the relative `expires_in`
 * is the one that is right on this host's clock.
 */
export function chooseExpiry(receivedAt: number, expiresInSeconds: number | undefined, expiresOnMs: number | undefined): number | undefined {
  const fromExpiresIn = expiresInSeconds === undefined ? undefined : receivedAt + expiresInSeconds * 1000;
  if (fromExpiresIn === undefined) return expiresOnMs;
  if (expiresOnMs === undefined) return fromExpiresIn;
  return Math.abs(expiresOnMs - fromExpiresIn) <= expiryAgreementMs ? expiresOnMs : fromExpiresIn;
}

/** Returns the token or a reason it is unusable. */
export function readTokenBody(body: Record<string, unknown> | undefined, receivedAt: number): TokenResponse | string {
  if (!body) return 'the body is not a JSON object';
  const accessToken = asString(body['access_token']);
  if (!accessToken) return 'the body has no access_token';
  const expiresOn = chooseExpiry(receivedAt, asNumber(body['expires_in']), expiresOnMs(body['expires_on']));
  if (expiresOn === undefined) return 'the body has neither expires_in nor expires_on';
  if (expiresOn <= receivedAt) return 'the token is already expired (check the clocks)';
  const refreshIn = asNumber(body['refresh_in']);
  return {
    accessToken,
    receivedAt,
    expiresOnTimestamp: expiresOn,
    serverRefreshAt: refreshIn !== undefined ? receivedAt + refreshIn * 1000 : undefined,
  };
}

export interface PlatformErrorBody {
  error?: string | undefined;
  description?: string | undefined;
  correlationId?: string | undefined;
  traceId?: string | undefined;
  errorCodes?: number[] | undefined;
}

/** Entra (`error`, `error_description`, `error_codes`, `trace_id`, `correlation_id`) and App Service (`message`, `correlationId`) shapes. */
export function readErrorBody(body: Record<string, unknown> | undefined): PlatformErrorBody {
  if (!body) return {};
  const nested = typeof body['error'] === 'object' && body['error'] !== null ? (body['error'] as Record<string, unknown>) : undefined;
  const codes = Array.isArray(body['error_codes']) ? body['error_codes'].filter((c): c is number => typeof c === 'number') : undefined;
  return {
    error: asString(body['error']) ?? asString(nested?.['code']),
    description: asString(body['error_description']) ?? asString(body['message']) ?? asString(nested?.['message']),
    correlationId: asString(body['correlation_id']) ?? asString(body['correlationId']),
    traceId: asString(body['trace_id']) ?? asString(body['traceId']),
    errorCodes: codes && codes.length > 0 ? codes : undefined,
  };
}

/** Keeps platform text readable but short, and strips anything token-shaped before it reaches a message. */
export function safeDescription(text: string | undefined, limit = 300): string | undefined {
  if (!text) return undefined;
  const scrubbed = text.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted-jwt]');
  return scrubbed.length > limit ? `${scrubbed.slice(0, limit)}…` : scrubbed;
}
