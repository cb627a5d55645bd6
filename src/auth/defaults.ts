/**
 * Every default of the token provider, in one place, each with its unit and why.
 * Sources: Microsoft's guidance for resilient daemon apps (managed identity and MSAL), RFC 9110.
 */

/** Deadline for one request to the identity platform. The stock managed-identity request has none; a hung endpoint must not hang an invocation. */
export const requestTimeoutMs = 10_000;

/** First retry after a 5xx/timeout without Retry-After: Microsoft's guidance is "at least 5 seconds", never a fast loop. */
export const firstRetryDelayMs = 5_000;

/**
 * Ceiling of the exponential back-off: once an outage ends, the first token comes at most this
 * (plus jitter) later. The whole instance waits on that token, while one probe per identity every
 * 30 s is negligible load for the platform; the Azure SDK's own retry caps a step at 64 s
 * (@azure/core-rest-pipeline). A 429 is not probed: its Retry-After is waited out exactly.
 */
export const maxRetryDelayMs = 30_000;

/** Longest `Retry-After` honoured; longer ones are capped to it. MSAL's throttling cache caps at one hour too. */
export const maxRetryAfterMs = 60 * 60_000;

/** Extra random delay on top of each back-off step, as a fraction of the step: spreads instances apart without ever going below the step. */
export const retryJitterRatio = 0.2;

/**
 * The refresh floor: two requests for one cache key are never closer than this (or half the
 * token's life, for tokens shorter than twice this), unless a caller holds no valid token.
 */
export const minRefreshIntervalMs = 5_000;

/**
 * `expires_on` (absolute) and `expires_in` (relative) "agree" when they differ by at most this:
 * `expires_in` is whole seconds counted down by the server, and the answer takes time to arrive.
 */
export const expiryAgreementMs = 2_000;

/**
 * Refresh-ahead spread: each refresh is planned up to this fraction of the time left before the
 * refresh point earlier, drawn at random. Instances that started together (a synchronized cold
 * start of a scaled-out app) would otherwise all refresh at the same instant, for every lifetime
 * to come. Only ever earlier, so never past the safety margin; the refresh floor still holds.
 */
export const refreshJitterRatio = 0.1;

/** Tokens living longer than this refresh at half-life (MSAL's rule for long-lived tokens). */
export const halfLifeRefreshThresholdMs = 2 * 60 * 60_000;

/** Shorter-lived tokens refresh this long before they expire (or at half-life if that comes later). */
export const refreshMarginMs = 5 * 60_000;

/**
 * A cached token is served while it has more than this left. It covers clock skew and the time a
 * downstream call takes; a token with seconds left would only turn into a 401 further down.
 */
export const expirySkewMs = 30_000;

/**
 * How long a caller without a valid token waits for a closed gate to open: not at all unless it
 * says so (`maxWaitMs`, or the provider's `defaultMaxWaitMs`). Failing fast with `retryAt` lets the
 * host retry the invocation; only the caller knows whether it has time to wait instead.
 */
export const defaultMaxWaitMs = 0;
