/**
 * The token provider: an in-memory cache keyed by (identity, scope) over one TokenSource, with
 * single flight, refresh ahead in the background, a Retry-After/back-off gate and a deadline on
 * every request. It emits typed events and knows nothing of Application Insights.
 */
import { inspect, type InspectOptions } from 'node:util';
import type { AccessToken } from '@azure/core-auth';
import { exponentialBackoff, type Backoff, type BackoffOptions } from './backoff.js';
import { runInBackgroundContext } from './background-context.js';
import { accessToken, newCacheEntry, providerToken, scopeStats, servedFromCache, servedToSdk, type CacheEntry, type CachedToken } from './cache-entry.js';
import { systemClock, type Clock } from './clock.js';
import { createTokenCredential } from './credential-adapter.js';
import { defaultMaxWaitMs, expirySkewMs as defaultSkewMs, refreshJitterRatio, requestTimeoutMs as defaultTimeoutMs } from './defaults.js';
import { isTokenError, TokenError, type CredentialSource } from './errors.js';
import { ignoreEvents, type InvocationInfo, type TokenEvent, type TokenEventSink } from './events.js';
import { gateWaitMs, waitBudgetMs } from './gate-wait.js';
import { DeadlineExceeded } from './network-errors.js';
import { refreshAfterTimestamp, refreshFloorMs } from './refresh-time.js';
import { RetryAfterGate } from './retry-after-gate.js';
import { inspectSummary } from './safe-inspect.js';
import { assertDefaultScope } from './scope.js';
import { abandonOnAbort } from './single-flight.js';
import type { TokenSource } from './token-source.js';
import type { GetTokenOptions, ProviderCredential, ProviderToken, TokenCacheStats, TokenProvider } from './types.js';

export interface ProviderOptions {
  clock?: Clock | undefined;
  events?: TokenEventSink | undefined;
  /** Deadline of one request to the identity platform. */
  requestTimeoutMs?: number | undefined;
  /** A cached token is served while it has more than this left (capped at a quarter of its lifetime). */
  expirySkewMs?: number | undefined;
  backoff?: BackoffOptions | undefined;
  /** The ambient Functions invocation, for errors and telemetry. */
  currentInvocation?: (() => InvocationInfo | undefined) | undefined;
  /**
   * Raise `served-from-cache` for every cache hit (tests, the doctor). Off by default: a hit then
   * only counts (see cacheStats()), so a cached getToken costs no event, with telemetry on or off.
   */
  cacheHitEvents?: boolean | undefined;
  /**
   * How long a caller without a valid token waits for a closed gate to open, unless its own
   * `maxWaitMs` says otherwise (default 0: fail fast with `retryAt`). Applies to the
   * TokenCredential adapter too, whose callers (Azure SDK clients) cannot pass `maxWaitMs`.
   */
  defaultMaxWaitMs?: number | undefined;
  /**
   * Refresh jitter: each refresh ahead is planned up to `ratio` (default 0.1, 0 turns it off) of
   * the wait before its refresh point earlier, so that instances started together do not refresh
   * together. `random` is uniform in [0, 1) (injected so tests can pin it).
   */
  refreshJitter?: { ratio?: number | undefined; random?: (() => number) | undefined } | undefined;
}

/** Shared by every call that passes no options, so the hot path allocates nothing for them. */
const noOptions: GetTokenOptions = Object.freeze({});


export class ResilientTokenProvider implements TokenProvider {
  readonly credential: ProviderCredential;
  readonly source: CredentialSource;
  readonly identity: string;
  private readonly clock: Clock;
  private readonly emit: TokenEventSink;
  private readonly backoff: Backoff;
  /** Closed by throttling and outages: they affect every scope of the identity. */
  private readonly gate: RetryAfterGate;
  private readonly entries = new Map<string, CacheEntry>();
  private readonly timeoutMs: number;
  private readonly skewMs: number;
  private readonly currentInvocation: () => InvocationInfo | undefined;
  private readonly cacheHitEvents: boolean;
  private readonly defaultMaxWaitMs: number;
  /** This answer's refresh jitter draw, a fraction of the wait before the refresh point. */
  private readonly refreshJitter: () => number;
  private closed = false;

  constructor(private readonly tokenSource: TokenSource, options: ProviderOptions = {}) {
    this.source = tokenSource.kind;
    this.identity = tokenSource.identity;
    this.clock = options.clock ?? systemClock;
    const sink = options.events ?? ignoreEvents;
    // A throwing listener must never break token acquisition.
    this.emit = (event) => {
      try {
        sink(event);
      } catch {
        /* listeners are best effort */
      }
    };
    this.backoff = exponentialBackoff(options.backoff);
    this.gate = new RetryAfterGate(this.backoff);
    this.timeoutMs = options.requestTimeoutMs ?? defaultTimeoutMs;
    this.skewMs = options.expirySkewMs ?? defaultSkewMs;
    this.currentInvocation = options.currentInvocation ?? (() => undefined);
    this.cacheHitEvents = options.cacheHitEvents === true;
    this.defaultMaxWaitMs = options.defaultMaxWaitMs ?? defaultMaxWaitMs;
    const jitterRatio = Math.min(Math.max(options.refreshJitter?.ratio ?? refreshJitterRatio, 0), 1);
    const random = options.refreshJitter?.random ?? Math.random;
    this.refreshJitter = () => jitterRatio * random();
    this.credential = createTokenCredential(this);
  }

  getToken(scope: string, options: GetTokenOptions = noOptions): Promise<ProviderToken> {
    const hit = this.cacheHit(scope, options);
    return hit === undefined ? this.obtain(scope, options) : servedFromCache(hit, this.source);
  }

  /** What the TokenCredential adapter calls: the same cache, with core-auth's AccessToken shape. */
  getAccessToken(scope: string, options: GetTokenOptions = noOptions): Promise<AccessToken> {
    const hit = this.cacheHit(scope, options);
    return hit === undefined ? this.obtain(scope, options).then(accessToken) : servedToSdk(hit);
  }

  cacheStats(): TokenCacheStats {
    return { identity: this.identity, source: this.source, at: this.clock.now(), scopes: [...this.entries.values()].map(scopeStats) };
  }

  /**
   * The hot path: the token to serve from the cache, counted as a hit, or undefined (a miss, an
   * unknown or invalid scope, an aborted caller: the slow path sorts those out). It only counts;
   * telemetry reads the counters at export time.
   */
  private cacheHit(scope: string, options: GetTokenOptions): CachedToken | undefined {
    const entry = this.entries.get(scope);
    if (entry === undefined) return undefined;
    const cached = entry.cached;
    if (cached === undefined || options.signal?.aborted === true || cached.token === options.refusedToken) return undefined;
    const now = this.clock.now();
    // Inside its skew window a token is still valid; while the floor since the last request has
    // not passed, the platform has nothing newer to give (it caches server-side), so asking again
    // would only start a loop.
    if (now >= cached.servableUntil && (now >= cached.expiresOnTimestamp || now >= this.earliestOptionalRequest(entry))) return undefined;
    entry.hits += 1;
    entry.servedSinceArrival = true;
    if (now >= cached.refreshAfterTimestamp) this.refreshInBackground(entry);
    if (this.cacheHitEvents) this.emit({ ...this.base(scope, this.invocationFor(options)), type: 'served-from-cache', expiresInMs: cached.expiresOnTimestamp - now });
    return cached;
  }

  /** Everything but a cache hit; a caller it serves is demand for the next refresh ahead. */
  private async obtain(scope: string, options: GetTokenOptions): Promise<ProviderToken> {
    const token = await this.obtainUncached(scope, options);
    const entry = this.entries.get(scope);
    if (entry) entry.servedSinceArrival = true;
    return token;
  }

  /** Validation, single flight, the gate. */
  private async obtainUncached(scope: string, options: GetTokenOptions): Promise<ProviderToken> {
    const invocation = this.invocationFor(options);
    // A caller that has already given up must not start a request nobody will read.
    options.signal?.throwIfAborted();
    try {
      assertDefaultScope(scope);
    } catch (error) {
      throw this.callerFailed(scope, error as TokenError, invocation, false);
    }
    const entry = this.entryFor(scope);
    const started = this.clock.now();
    // Not served by cacheHit at this same instant: no token, or one too close to its expiry.
    if (entry.cached) entry.expiredMisses += 1;
    else entry.coldMisses += 1;
    this.emit({ ...this.base(scope, invocation), type: 'cache-miss', reason: entry.cached ? 'expired' : 'cold' });
    const waitUntil = started + waitBudgetMs(options.maxWaitMs, this.defaultMaxWaitMs);
    /** Whether this caller has already waited for a gate opening. */
    let waited = false;
    for (;;) {
      let pending = entry.pending;
      while (!pending) {
        const now = this.clock.now();
        const cached = entry.cached;
        // A waiter woken after another waiter's request brought a token takes it from the cache.
        if (waited && cached && now < cached.servableUntil) return providerToken(cached, this.source, true);
        const gate = this.closedGate(entry, now);
        if (!gate) {
          pending = this.startAcquisition(entry, false, invocation);
          break;
        }
        // The last moment: inside its skew window a token is still valid; while requests are
        // paused it is better than nothing, so it keeps being served until it truly expires.
        if (cached && now < cached.expiresOnTimestamp) return providerToken(cached, this.source, true);
        const rejection = gate.rejection(now, scope);
        const sleepMs = gateWaitMs({ now, opensAt: gate.opensAt(), waitUntil, retryable: rejection.retryable });
        if (sleepMs === undefined) throw this.callerFailed(scope, rejection, invocation, false);
        // The caller has the time: wait on the injected clock until the gate opens (its signal ends
        // the wait for it alone), then join the one request sent for everyone, never sooner.
        waited = true;
        await this.clock.sleep(sleepMs, options.signal);
        pending = entry.pending;
      }
      try {
        return providerToken(await abandonOnAbort(pending, options.signal), this.source, false);
      } catch (error) {
        if (!isTokenError(error)) throw error;
        const last = entry.cached;
        if (last && this.clock.now() < last.expiresOnTimestamp) return providerToken(last, this.source, true);
        // A caller with budget left waits for the next opening too (a storm that outlasts one
        // Retry-After), as long as that opening comes within its budget; otherwise it gets this error.
        const now = this.clock.now();
        const gate = this.closedGate(entry, now);
        if (gate && gateWaitMs({ now, opensAt: gate.opensAt(), waitUntil, retryable: error.retryable }) !== undefined) continue;
        throw this.callerFailed(scope, error, invocation, true);
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const entry of this.entries.values()) entry.cancelTimer?.();
  }

  /** What JSON.stringify and `context.log(provider)` show: never a cached token or the source's secrets. */
  toJSON(): { identity: string; source: CredentialSource; cachedScopes: number } {
    const cachedScopes = [...this.entries.values()].filter((entry) => entry.cached !== undefined).length;
    return { identity: this.identity, source: this.source, cachedScopes };
  }

  [inspect.custom](_depth: number, options: InspectOptions): string {
    return inspectSummary('ResilientTokenProvider', this.toJSON(), options);
  }

  private invocationFor(options: GetTokenOptions): InvocationInfo | undefined {
    const ambient = this.currentInvocation();
    if (options.invocationId && options.invocationId !== ambient?.invocationId) return { invocationId: options.invocationId };
    return ambient;
  }

  private entryFor(scope: string): CacheEntry {
    // One provider serves one identity, so the scope completes the (identity, scope) key.
    let entry = this.entries.get(scope);
    if (!entry) {
      entry = newCacheEntry(scope, new RetryAfterGate(this.backoff));
      this.entries.set(scope, entry);
    }
    return entry;
  }

  /** The gate that keeps this key from sending a request now, if any. */
  private closedGate(entry: CacheEntry, now: number): RetryAfterGate | undefined {
    if (!this.gate.isOpen(now)) return this.gate;
    if (!entry.gate.isOpen(now)) return entry.gate;
    return undefined;
  }

  /** Every failing caller is reported once, with its own invocation. */
  private callerFailed(scope: string, error: TokenError, invocation: InvocationInfo | undefined, requestSent: boolean): TokenError {
    const own = error.withInvocation(invocation?.invocationId);
    this.emit({ ...this.base(scope, invocation), type: 'failed', error: own, requestSent });
    return own;
  }

  private base(scope: string, invocation: InvocationInfo | undefined): Pick<TokenEvent, 'at' | 'source' | 'identity' | 'scope' | 'invocation'> {
    return { at: this.clock.now(), source: this.source, identity: this.identity, scope, invocation };
  }

  private startAcquisition(entry: CacheEntry, background: boolean, invocation: InvocationInfo | undefined): Promise<CachedToken> {
    const pending = this.acquire(entry, background, invocation).finally(() => {
      if (entry.pending === pending) entry.pending = undefined;
    });
    // Callers may all abandon the shared request; its failure must never become an unhandled rejection.
    pending.catch(() => undefined);
    entry.pending = pending;
    return pending;
  }

  /** The only place a request is sent. Callers have checked the gates. */
  private async acquire(entry: CacheEntry, background: boolean, invocation: InvocationInfo | undefined): Promise<CachedToken> {
    const { scope } = entry;
    const started = this.clock.now();
    const identityEpoch = this.gate.epoch();
    const scopeEpoch = entry.gate.epoch();
    entry.lastSentAt = started;
    const controller = new AbortController();
    let inFlightClientRequestId: string | undefined;
    let giveUp: (error: TokenError) => void = () => undefined;
    const deadline = new Promise<never>((_, reject) => {
      giveUp = reject;
    });
    const cancelDeadline = this.clock.schedule(this.timeoutMs, () => {
      controller.abort(new DeadlineExceeded(`no answer within ${this.timeoutMs} ms`));
      // A source that ignores the signal still cannot hold the caller: after giving it a moment
      // to report its own classified error, stop waiting for it.
      setImmediate(() => setImmediate(() => giveUp(this.deadlineError(scope, inFlightClientRequestId))));
    });
    try {
      const request = this.tokenSource.requestToken(scope, {
        signal: controller.signal,
        report: (exchange) => this.emit({ ...this.base(scope, invocation), ...exchange, type: 'identity-request', background }),
        sending: (clientRequestId) => {
          inFlightClientRequestId = clientRequestId;
        },
      });
      const response = await Promise.race([request, deadline]);
      this.gate.recordSuccess(identityEpoch);
      entry.gate.recordSuccess(scopeEpoch);
      // The newest answer is the platform's current view, even when it is the same token again or
      // expires no later than the one held: the next refresh is planned from it, never in the past.
      const previous = entry.cached;
      const firstReceivedAt = previous?.token === response.accessToken ? previous.firstReceivedAt : response.receivedAt;
      const lifetime = response.expiresOnTimestamp - firstReceivedAt;
      const skew = Math.min(this.skewMs, lifetime / 4);
      const fresh: CachedToken = {
        token: response.accessToken,
        expiresOnTimestamp: response.expiresOnTimestamp,
        firstReceivedAt,
        // Jitter spreads the refresh of a new token only: the same token answered again was already
        // spread, and drawing anew each time would creep requests towards the host's renewal.
        refreshAfterTimestamp: refreshAfterTimestamp({ ...response, firstReceivedAt, skewMs: skew, jitter: firstReceivedAt === response.receivedAt ? this.refreshJitter() : 0 }),
        servableUntil: response.expiresOnTimestamp - skew,
        floorMs: refreshFloorMs(lifetime),
      };
      entry.cached = fresh;
      entry.servedSinceArrival = false;
      this.scheduleRefresh(entry, fresh.refreshAfterTimestamp);
      this.emit({
        ...this.base(scope, invocation),
        type: background ? ('refreshed' as const) : ('acquired' as const),
        durationMs: this.clock.now() - started,
        expiresOnTimestamp: fresh.expiresOnTimestamp,
        refreshAfterTimestamp: fresh.refreshAfterTimestamp,
        background,
      });
      return entry.cached;
    } catch (caught) {
      throw this.recordFailure(entry, caught, background, invocation);
    } finally {
      cancelDeadline();
    }
  }

  private deadlineError(scope: string, clientRequestId: string | undefined): TokenError {
    const managed = this.source === 'managed-identity';
    return new TokenError(
      managed ? 'managed_identity_unreachable_network' : 'identity_platform_unreachable',
      `The ${managed ? 'managed-identity endpoint' : 'identity platform'} did not answer before the request deadline (${this.timeoutMs} ms).`,
      { source: this.source, scope, retryable: true, clientRequestId },
    );
  }

  private recordFailure(entry: CacheEntry, caught: unknown, background: boolean, invocation: InvocationInfo | undefined): TokenError {
    const classified = isTokenError(caught)
      ? caught
      : new TokenError(this.source === 'managed-identity' ? 'managed_identity_failed_response' : 'identity_platform_unavailable', 'The token request failed unexpectedly.', {
          source: this.source,
          scope: entry.scope,
          retryable: true,
          cause: caught,
        });
    const now = this.clock.now();
    // Throttling and outages (retryable: both sources mark a 429 so) pause the whole identity; a
    // failure only this scope can cause pauses only this key.
    const gate = classified.retryable ? this.gate : entry.gate;
    const opensAt = gate.recordFailure(classified, now);
    const error = classified.withRetryAt(opensAt, now);
    if (invocation && !background) error.invocationId = invocation.invocationId;
    const base = this.base(entry.scope, background ? undefined : invocation);
    if (error.code === 'throttled') this.emit({ ...base, type: 'throttled', background, retryAfterMs: opensAt - now, gateOpensAt: opensAt, error });
    const cached = entry.cached;
    if (background) {
      // Foreground callers report their own failures; a background refresh has no caller.
      this.emit({ ...base, type: 'refresh-failed', error, tokenExpiresOnTimestamp: cached?.expiresOnTimestamp ?? now, nextAttemptAt: opensAt });
      // Keep serving the valid token; try again when the gate opens, if the token is still useful then.
      this.scheduleRefresh(entry, opensAt);
    }
    return error;
  }

  /** No request for this key before this while a valid token is held: the refresh floor since the last one. */
  private earliestOptionalRequest(entry: CacheEntry): number {
    if (entry.lastSentAt === undefined || !entry.cached) return 0;
    return entry.lastSentAt + entry.cached.floorMs;
  }

  private refreshInBackground(entry: CacheEntry): void {
    // No caller since this token arrived: nobody needs a newer one yet; the next caller asks.
    if (entry.pending || this.closed || !entry.servedSinceArrival) return;
    const now = this.clock.now();
    const gate = this.closedGate(entry, now);
    if (gate) {
      this.scheduleRefresh(entry, gate.opensAt());
      return;
    }
    if (now < this.earliestOptionalRequest(entry)) {
      this.scheduleRefresh(entry, this.earliestOptionalRequest(entry));
      return;
    }
    // Background failures are reported as events; the valid token keeps being served. A caller's
    // getToken may start it: it still belongs to no invocation, so it runs outside the caller's context.
    runInBackgroundContext(() => this.startAcquisition(entry, true, undefined)).catch(() => undefined);
  }

  /**
   * Plans the next background refresh at `at`, but never sooner than the refresh floor allows,
   * and not at all once the token would no longer be served by then (the next caller asks).
   */
  private scheduleRefresh(entry: CacheEntry, at: number): void {
    const cached = entry.cached;
    const when = Math.max(at, this.earliestOptionalRequest(entry));
    // Already planned for then: while the gate is closed, every hit past the refresh time lands
    // here, and must not cost a new timer.
    if (entry.cancelTimer !== undefined && entry.refreshPlannedAt === when) return;
    entry.cancelTimer?.();
    entry.cancelTimer = undefined;
    if (this.closed || !cached || when >= cached.servableUntil) return;
    entry.refreshPlannedAt = when;
    entry.cancelTimer = this.clock.schedule(Math.max(0, when - this.clock.now()), () => {
      entry.cancelTimer = undefined;
      const current = entry.cached;
      if (current && this.clock.now() < current.servableUntil) this.refreshInBackground(entry);
    });
  }
}
