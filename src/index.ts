export type { Clock } from './auth/clock.js';
export { systemClock } from './auth/clock.js';
export type { TokenErrorCode, CredentialSource, TokenErrorDetails } from './auth/errors.js';
export { TokenError, isTokenError } from './auth/errors.js';
export type * from './auth/events.js';
export type * from './auth/types.js';
