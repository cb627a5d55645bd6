/**
 * Mints opaque access tokens and remembers every one it handed out, so tests can ask whether a
 * string is a token the emulator issued and scan logs and telemetry for leaks. Tokens look like
 * JWTs (three base64url parts) but carry a random id and a random "signature": unguessable, and
 * nothing a client should decode.
 */
import { randomBytes } from 'node:crypto';
import type { IdentityProtocol, IdentityTarget, IssuedIdentity, IssuedToken } from './types.js';

export interface MintRequest {
  target: IdentityTarget;
  protocol: IdentityProtocol;
  identity: IssuedIdentity;
  audience: string;
  issuedAt: number;
  lifetimeSeconds: number;
  requestId: string;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export class TokenLedger {
  readonly #byToken = new Map<string, IssuedToken>();

  mint(request: MintRequest): IssuedToken {
    const expiresAt = request.issuedAt + request.lifetimeSeconds * 1000;
    const header = base64url({ typ: 'JWT', alg: 'RS256', kid: 'identity-emulator' });
    const payload = base64url({
      aud: request.audience,
      iat: Math.floor(request.issuedAt / 1000),
      exp: Math.floor(expiresAt / 1000),
      jti: randomBytes(24).toString('base64url'),
    });
    const token = `${header}.${payload}.${randomBytes(32).toString('base64url')}`;
    const issued: IssuedToken = {
      token,
      target: request.target,
      protocol: request.protocol,
      identity: request.identity,
      audience: request.audience,
      issuedAt: request.issuedAt,
      expiresAt,
      requestId: request.requestId,
    };
    this.#byToken.set(token, issued);
    return issued;
  }

  has(token: string): boolean {
    return this.#byToken.has(token);
  }

  get all(): IssuedToken[] {
    return [...this.#byToken.values()];
  }
}
