/**
 * The server-side token cache of a real managed-identity host. IMDS and the App Service token
 * service keep the token they got for (identity, resource) and hand the same token out again on
 * every request, with the same `expires_on` and an `expires_in` that counts down, until they renew
 * it. When they renew is theirs to decide; by default the emulator keeps a token until it has
 * expired, the hardest case for a client that refreshes ahead.
 */
import type { IssuedToken } from './types.js';

export class ServerTokenCache {
  readonly #tokens = new Map<string, IssuedToken>();
  #renewBeforeMs = 0;
  #enabled = true;

  /** `false` turns caching off (a fresh token per request); `renewBeforeSeconds` renews that long before expiry. */
  configure(options: { enabled?: boolean; renewBeforeSeconds?: number }): void {
    this.#enabled = options.enabled ?? this.#enabled;
    if (options.renewBeforeSeconds !== undefined) this.#renewBeforeMs = options.renewBeforeSeconds * 1000;
  }

  /** The cached token for `key`, while it is not yet due for renewal. */
  lookup(key: string, now: number): IssuedToken | undefined {
    if (!this.#enabled) return undefined;
    const token = this.#tokens.get(key);
    return token && now < token.expiresAt - this.#renewBeforeMs ? token : undefined;
  }

  store(key: string, token: IssuedToken): void {
    this.#tokens.set(key, token);
  }

  clear(): void {
    this.#tokens.clear();
    this.#enabled = true;
    this.#renewBeforeMs = 0;
  }
}
