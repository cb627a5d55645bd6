/** Which token a new PostgreSQL connection presents. Free of pg types, like the store's declarations. */
import { postgresScope, type PostgresStoreOptions } from './postgres-options.js';

/**
 * The token a new connection signs in with. The provider serves its cached token while it is
 * valid on the provider's clock, but the server may refuse it sooner (revoked, or the server's
 * clock is ahead): after `refused()`, the next sign-in asks the provider for a token other than
 * the one last presented, instead of presenting it again until the message is poisoned.
 */
export class SignInToken {
  #first: string | undefined;
  #presented: string | undefined;
  #refused: string | undefined;

  constructor(private readonly provider: PostgresStoreOptions['provider']) {}

  readonly password = async (): Promise<string> => {
    const token = (await this.provider.getToken(postgresScope, this.#refused === undefined ? undefined : { refusedToken: this.#refused })).token;
    this.#first ??= token;
    this.#presented = token;
    return token;
  };

  /** The token the latest sign-in presented. */
  get presented(): string | undefined {
    return this.#presented;
  }

  /**
   * The server refused a sign-in (28P01). `token` is what `presented` said when the failed
   * statement started (undefined before this pool's first sign-in, whose token is then the one
   * refused): under concurrency a later sign-in may already present a fresh token, which must
   * not be marked refused in its place.
   */
  refused(token: string | undefined): void {
    this.#refused = token ?? this.#first;
  }
}
