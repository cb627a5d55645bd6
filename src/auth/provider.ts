/**
 * The token provider: an in-memory cache keyed by (identity, scope) over one TokenSource, with
 * single flight, refresh ahead in the background, a Retry-After/back-off gate and a deadline on
 * every request. It emits typed events and knows nothing of Application Insights.
 */
import type { TokenCredential } from '@azure/core-auth';
import { exponentialBackoff, type BackoffOptions } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import { createTokenCredential } from './credential-adapter.js';
import { expirySkewMs as defaultSkewMs, requestTimeoutMs as defaultTimeoutMs } from './defaults.js';
import { isTokenError, TokenError, type CredentialSource } from './errors.js';
import { ignoreEvents, type InvocationInfo, type TokenEvent, type TokenEventSink } from './events.js';
import { refreshAfterTimestamp } from './refresh-time.js';
import { RetryAfterGate } from './retry-after-gate.js';
import { assertDefaultScope } from './scope.js';
import { abandonOnAbort } from './single-flight.js';
import type { TokenSource } from './token-source.js';
import type { GetTokenOptions, ProviderToken, TokenProvider } from './types.js';

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
}

interface CachedToken {
  token: string;
  expiresOnTimestamp: number;
  refreshAfterTimestamp: number;
  /** Last moment the token is handed out: expiry minus the safety skew. */
  servableUntil: number;
}

interface CacheEntry {
  scope: string;
  cached?: CachedToken | undefined;
  /** The one request in flight for this key (single flight), foreground or background. */
  pending?: Promise<CachedToken> | undefined;
  cancelTimer?: (() => void) | undefined;
}

class DeadlineExceeded extends Error {
  override readonly name = 'TimeoutError';
}

export class ResilientTokenProvider implements TokenProvider {
  readonly credential: TokenCredential;
  readonly source: CredentialSource;
  readonly identity: string;
  private readonly clock: Clock;
  private readonly emit: TokenEventSink;
  private readonly gate: RetryAfterGate;
  private readonly entries = new Map<string, CacheEntry>();
  private readonly timeoutMs: number;
  private readonly skewMs: number;
  private readonly currentInvocation: () => InvocationInfo | undefined;
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
    this.gate = new RetryAfterGate(exponentialBackoff(options.backoff));
    this.timeoutMs = options.requestTimeoutMs ?? defaultTimeoutMs;
    this.skewMs = options.expirySkewMs ?? defaultSkewMs;
    this.currentInvocation = options.currentInvocation ?? (() => undefined);
    this.credential = createTokenCredential(this);
  }

  async getToken(scope: string, options: GetTokenOptions = {}): Promise<ProviderToken> {
    const invocation = this.invocationFor(options);
    try {
      assertDefaultScope(scope);
    } catch (error) {
      const tokenError = (error as TokenError).withInvocation(invocation?.invocationId);
      this.emit({ ...this.base(scope, invocation), type: 'failed', error: tokenError });
      throw tokenError;
    }
    const entry = this.entryFor(scope);
    const now = this.clock.now();
    const cached = entry.cached;
    if (cached && now < cached.servableUntil) {
      if (now >= cached.refreshAfterTimestamp) this.refreshInBackground(entry);
      this.emit({ ...this.base(scope, invocation), type: 'served-from-cache', expiresInMs: cached.expiresOnTimestamp - now });
      return this.result(cached, true);
    }
    this.emit({ ...this.base(scope, invocation), type: 'cache-miss', reason: cached ? 'expired' : 'cold' });
    let pending = entry.pending;
    if (!pending) {
      if (!this.gate.isOpen(now)) throw this.gate.rejection(now).withInvocation(invocation?.invocationId);
      pending = this.startAcquisition(entry, false, invocation);
    }
    try {
      const token = await abandonOnAbort(pending, options.signal);
      return this.result(token, false);
    } catch (error) {
      throw isTokenError(error) ? error.withInvocation(invocation?.invocationId) : error;
    }
  }

  close(): void {
    this.closed = true;
    for (const entry of this.entries.values()) entry.cancelTimer?.();
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
      entry = { scope };
      this.entries.set(scope, entry);
    }
    return entry;
  }

  private result(cached: CachedToken, fromCache: boolean): ProviderToken {
    return {
      token: cached.token,
      expiresOnTimestamp: cached.expiresOnTimestamp,
      refreshAfterTimestamp: cached.refreshAfterTimestamp,
      source: this.source,
      fromCache,
    };
  }

  private base(scope: string, invocation: InvocationInfo | undefined): Pick<TokenEvent, 'at' | 'source' | 'identity' | 'scope' | 'invocation'> {
    return { at: this.clock.now(), source: this.source, identity: this.identity, scope, invocation };
  }

  private startAcquisition(entry: CacheEntry, background: boolean, invocation: InvocationInfo | undefined): Promise<CachedToken> {
    const pending = this.acquire(entry, background, invocation).finally(() => {
      if (entry.pending === pending) entry.pending = undefined;
    });
    entry.pending = pending;
    return pending;
  }

  /** The only place a request is sent. Callers have checked the gate. */
  private async acquire(entry: CacheEntry, background: boolean, invocation: InvocationInfo | undefined): Promise<CachedToken> {
    const { scope } = entry;
    const started = this.clock.now();
    const controller = new AbortController();
    const cancelDeadline = this.clock.schedule(this.timeoutMs, () => controller.abort(new DeadlineExceeded(`no answer within ${this.timeoutMs} ms`)));
    try {
      const response = await this.tokenSource.requestToken(scope, {
        signal: controller.signal,
        report: (exchange) => this.emit({ ...this.base(scope, invocation), ...exchange, type: 'identity-request', background }),
      });
      this.gate.recordSuccess();
      const lifetime = response.expiresOnTimestamp - response.receivedAt;
      const skew = Math.min(this.skewMs, lifetime / 4);
      const fresh: CachedToken = {
        token: response.accessToken,
        expiresOnTimestamp: response.expiresOnTimestamp,
        refreshAfterTimestamp: refreshAfterTimestamp({ ...response, skewMs: skew }),
        servableUntil: response.expiresOnTimestamp - skew,
      };
      // Never let a slower, older response replace a token that lives longer.
      if (!entry.cached || fresh.expiresOnTimestamp >= entry.cached.expiresOnTimestamp) entry.cached = fresh;
      this.scheduleRefresh(entry, entry.cached.refreshAfterTimestamp);
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

  private recordFailure(entry: CacheEntry, caught: unknown, background: boolean, invocation: InvocationInfo | undefined): TokenError {
    const error = isTokenError(caught)
      ? caught
      : new TokenError(this.source === 'managed-identity' ? 'managed_identity_failed_response' : 'identity_platform_unavailable', 'The token request failed unexpectedly.', {
          source: this.source,
          scope: entry.scope,
          retryable: true,
          cause: caught,
        });
    if (invocation && !error.invocationId) error.invocationId = invocation.invocationId;
    const now = this.clock.now();
    const opensAt = this.gate.recordFailure(error, now);
    const base = this.base(entry.scope, invocation);
    if (error.code === 'throttled') this.emit({ ...base, type: 'throttled', retryAfterMs: opensAt - now, gateOpensAt: opensAt, error });
    const cached = entry.cached;
    if (background && cached && now < cached.servableUntil) {
      this.emit({ ...base, type: 'refresh-failed', error, tokenExpiresOnTimestamp: cached.expiresOnTimestamp, nextAttemptAt: opensAt });
      // Keep serving the valid token; try again when the gate opens, if the token is still useful then.
      if (opensAt < cached.servableUntil) this.scheduleRefresh(entry, opensAt);
    } else {
      this.emit({ ...base, type: 'failed', error });
    }
    return error;
  }

  private refreshInBackground(entry: CacheEntry): void {
    if (entry.pending || this.closed) return;
    const now = this.clock.now();
    if (!this.gate.isOpen(now)) {
      const cached = entry.cached;
      if (cached && this.gate.opensAt() < cached.servableUntil) this.scheduleRefresh(entry, this.gate.opensAt());
      return;
    }
    // Background failures are reported as events; the valid token keeps being served.
    this.startAcquisition(entry, true, undefined).catch(() => undefined);
  }

  private scheduleRefresh(entry: CacheEntry, at: number): void {
    entry.cancelTimer?.();
    if (this.closed) return;
    entry.cancelTimer = this.clock.schedule(Math.max(0, at - this.clock.now()), () => {
      entry.cancelTimer = undefined;
      const cached = entry.cached;
      if (cached && this.clock.now() < cached.servableUntil) this.refreshInBackground(entry);
    });
  }
}
