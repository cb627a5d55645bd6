/**
 * 429 and 5xx rows: a usable Retry-After (seconds or HTTP date) is waited out exactly, capped at an
 * hour; without one (absent, 0) the back-off applies, first step 5 s, never faster.
 */
import type { Fixture } from '../../../auth/provider-fixture.js';
import type { CredentialKind, MatrixRow } from '../../matrix.js';
import { failedAnswerCode, targetOf, type IdentityContext } from './context.js';
import { faultRow } from './fault-row.js';

const hourMs = 60 * 60_000;

/** An HTTP date `seconds` after the emulator's clock, whole seconds as the header carries them. */
function httpDateIn(f: Fixture, seconds: number): string {
  return new Date(Math.ceil(f.clock.now() / 1000) * 1000 + seconds * 1000).toUTCString();
}

export function throttlingRows(kind: CredentialKind): MatrixRow<IdentityContext>[] {
  const target = targetOf(kind);
  const throttled = (retryAfter?: string) => (f: Fixture) => f.identity.setPersistentFault(target, { kind: 'status', status: 429, ...(retryAfter === undefined ? {} : { retryAfter }) });
  return [
    faultRow({ name: '429 Retry-After: 30', credential: kind, injected: '429, Retry-After 30 s', code: 'throttled', arrange: throttled('30'), firstRetryAfterMs: 30_000 }),
    faultRow({
      name: '429 Retry-After: HTTP date',
      credential: kind,
      injected: '429, Retry-After date +20 s, once',
      code: 'throttled',
      queued: true,
      arrange: (f) => f.identity.script(target, { kind: 'status', status: 429, retryAfter: httpDateIn(f, 20) }),
    }),
    faultRow({ name: '429 without Retry-After', credential: kind, injected: '429, no Retry-After', code: 'throttled', arrange: throttled(), firstRetryAfterMs: 5_000 }),
    faultRow({ name: '429 Retry-After: 0', credential: kind, injected: '429, Retry-After 0', code: 'throttled', arrange: throttled('0'), firstRetryAfterMs: 5_000 }),
    faultRow({
      name: '429 Retry-After: absurd',
      credential: kind,
      injected: '429, Retry-After 99999999999 s',
      code: 'throttled',
      arrange: throttled('99999999999'),
      // Capped at an hour: callers keep asking once a minute until the gate opens.
      recoveryMs: hourMs + 60_000,
      recoveryPeriodMs: 60_000,
      firstRetryAfterMs: hourMs,
    }),
  ];
}

export function outageRows(kind: CredentialKind): MatrixRow<IdentityContext>[] {
  const target = targetOf(kind);
  const code = failedAnswerCode(kind);
  return [500, 502, 503, 504].flatMap((status) => [
    faultRow({
      name: `${status} without Retry-After`,
      credential: kind,
      injected: `${status}, no Retry-After`,
      code,
      arrange: (f) => f.identity.setPersistentFault(target, { kind: 'status', status }),
      firstRetryAfterMs: 5_000,
    }),
    faultRow({
      name: `${status} Retry-After: 20`,
      credential: kind,
      injected: `${status}, Retry-After 20 s`,
      code,
      arrange: (f) => f.identity.setPersistentFault(target, { kind: 'status', status, retryAfter: '20' }),
      firstRetryAfterMs: 20_000,
    }),
  ]);
}
