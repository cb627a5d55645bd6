/**
 * Phase B, simulated days on the injected clock: the provider with each credential kind (managed
 * identity, certificate) against the identity emulator over real sockets, three scopes, a caller
 * per scope every 5 minutes, 1 h tokens and a fault schedule every simulated day (429 with
 * Retry-After, a 503 outage, a hung request, connection resets). It counts identity requests per
 * scope per token lifetime and samples the heap after a full GC at the start and the end.
 */
import { exponentialBackoff } from '../../src/auth/backoff.js';
import { createTestCa } from '../../src/sandbox/ca.js';
import type { IdentityTarget } from '../../src/sandbox/identity/index.js';
import { startFixture, type Fixture } from '../auth/provider-fixture.js';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
export const phaseBScopes = ['https://vault.azure.net/.default', 'https://database.windows.net/.default', 'https://ossrdbms-aad.database.windows.net/.default'];
const lifetimeSeconds = 3_600;

/** The daily outage's length: the provider probes it no faster than its back-off allows. */
const outageMs = 20 * minute;

/**
 * The most failed requests one simulated day's faults can cost one identity if every retry waits
 * only the back-off's shortest step: the two 429s, every probe of the outage, the hang, the two resets.
 */
export function maxFailedRequestsPerDay(): number {
  const fastest = exponentialBackoff({ random: () => 0 });
  let probes = 1;
  for (let waited = fastest(1); waited < outageMs; waited += fastest(probes + 1)) probes += 1;
  return 2 + probes + 1 + 2;
}

export interface KindResult {
  kind: 'managed-identity' | 'certificate';
  simulatedDays: number;
  wallMs: number;
  /** Per scope: requests (failed ones are the faults' retries), and successful ones per token lifetime. */
  scopes: { scope: string; requests: number; failed: number; lifetimes: number; perLifetime: number }[];
  calls: number;
  callerFailures: number;
  /** Callers that failed while the emulator had issued a token for their scope that was still servable: must be 0. */
  failuresWithValidToken: number;
  heap: { startBytes: number; endBytes: number };
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run soak does)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** The scope (or resource) a recorded token request asked for. */
function scopeOf(target: IdentityTarget, request: { query: Record<string, string>; form?: Record<string, string> | undefined }): string {
  return target === 'mi' ? `${request.query['resource'] ?? ''}/.default` : (request.form?.['scope'] ?? '').split(' ').find((s) => s.endsWith('/.default')) ?? '';
}

/** Every simulated day: what goes wrong, and when (hours into the day). */
function dailyFaults(f: Fixture, target: IdentityTarget, hourOfDay: number): string | undefined {
  if (hourOfDay === 3) {
    f.identity.script(target, { kind: 'status', status: 429, retryAfter: '120' }, { kind: 'status', status: 429, retryAfter: '120' });
    return '429 (Retry-After 120 s) ×2';
  }
  if (hourOfDay === 9) {
    f.identity.setPersistentFault(target, { kind: 'status', status: 503 });
    return '503 outage for 20 min';
  }
  if (hourOfDay === 15) {
    f.identity.script(target, { kind: 'hang' });
    return 'a hung request';
  }
  if (hourOfDay === 21) {
    f.identity.script(target, { kind: 'reset' }, { kind: 'reset' });
    return 'connection reset ×2';
  }
  return undefined;
}

async function runKind(kind: KindResult['kind'], simulatedDays: number, progress: (line: string) => void): Promise<KindResult> {
  const started = Date.now();
  const ca = createTestCa();
  const certificate = ca.makeClientCertificate('soak-app', { days: simulatedDays + 3 });
  // Virtual time stays behind real time (the emulator checks assertions MSAL stamps with real time).
  const startAt = Math.floor((Date.now() - (simulatedDays + 1) * day) / 1000) * 1000;
  const f = await startFixture({ kind, ca, certificate, startAt, refreshJitter: Math.random });
  const target: IdentityTarget = kind === 'managed-identity' ? 'mi' : 'entra';
  let calls = 0;
  let callerFailures = 0;
  try {
    f.identity.setDefaultLifetime(lifetimeSeconds, { includeExpiresIn: true });
    // A host that renews its cached token at half-life (Entra mints one per request anyway).
    f.identity.configureServerCache({ renewBeforeSeconds: lifetimeSeconds / 2 });
    let heapStart = 0;
    for (let t = 0; t < simulatedDays * day; t += 5 * minute) {
      if (t === hour) heapStart = heapAfterGc();
      if (t % hour === 0) {
        const fault = dailyFaults(f, target, (t % day) / hour);
        if (fault) progress(`  ${kind.padEnd(16)} day ${Math.floor(t / day) + 1} ${String((t % day) / hour).padStart(2)}:00  ! ${fault}`);
      }
      if (t % day === 9 * hour + outageMs) f.identity.setPersistentFault(target, undefined);
      const results = await Promise.allSettled(phaseBScopes.map((scope) => f.provider.getToken(scope)));
      calls += results.length;
      callerFailures += results.filter((r) => r.status === 'rejected').length;
      await f.clock.advance(5 * minute);
    }
    const heapEnd = heapAfterGc();
    const requests = f.identity.tokenRequests(target);
    const lifetimes = (simulatedDays * day) / (lifetimeSeconds * 1000);
    const scopes = phaseBScopes.map((scope) => {
      const mine = requests.filter((r) => scopeOf(target, r) === scope);
      const succeeded = mine.filter((r) => r.status === 200).length;
      return { scope, requests: mine.length, failed: mine.length - succeeded, lifetimes, perLifetime: succeeded / lifetimes };
    });
    // A caller may fail once an outage outlasts its token; never while a servable token exists.
    const audienceOf = (scope: string): string => (kind === 'managed-identity' ? scope.replace(/\/\.default$/, '') : scope);
    const failuresWithValidToken = f.eventsOf('failed').filter((e) => f.identity.issuedTokens.some((t) => t.audience === audienceOf(e.scope) && t.issuedAt <= e.at && e.at < t.expiresAt - 30_000 && f.identity.wasIssued(t.token))).length;
    return { kind, simulatedDays, wallMs: Date.now() - started, scopes, calls, callerFailures, failuresWithValidToken, heap: { startBytes: heapStart, endBytes: heapEnd } };
  } finally {
    await f.stop();
    ca.cleanup();
  }
}

export async function runPhaseB(simulatedDays: number, progress: (line: string) => void): Promise<KindResult[]> {
  progress(`Phase B (injected clock): ${simulatedDays} simulated days per credential kind, 3 scopes, 1 h tokens`);
  const results: KindResult[] = [];
  for (const kind of ['managed-identity', 'certificate'] as const) {
    const result = await runKind(kind, simulatedDays, progress);
    results.push(result);
    progress(`  ✓ ${kind.padEnd(16)} ${result.calls} calls, ${result.scopes.reduce((n, s) => n + s.requests, 0)} identity requests, ${result.callerFailures} caller failures (${(result.wallMs / 1000).toFixed(1)} s)`);
  }
  return results;
}
