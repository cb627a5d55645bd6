/**
 * `resilient-daemon-functions`: the library. The token provider, its errors and events, the
 * invocation scope and the telemetry hooks; it loads no SQL driver, no Key Vault SDK and no
 * Functions framework. The clients and the jobs' contract have their own entry points (src/entries/).
 */
export type { Clock } from './auth/clock.js';
export { systemClock } from './auth/clock.js';
export type { TokenErrorCode, CredentialSource, TokenErrorDetails } from './auth/errors.js';
export { TokenError, isTokenError } from './auth/errors.js';
export type * from './auth/events.js';
export type * from './auth/types.js';
export type { CredentialSettings } from './auth/credential-settings.js';
export { credentialSettingsFromEnvironment } from './auth/credential-settings.js';
export type { CertificateSettings, SigningCertificate, SigningCertificates } from './auth/certificate-source.js';
export { CertificateStore } from './auth/certificate-store.js';
export type { CreateTokenProviderOptions } from './auth/create-provider.js';
export { createTokenProvider } from './auth/create-provider.js';
export { getTokenProvider } from './runtime.js';
export { runInInvocation, currentInvocation, invocationInfoFrom } from './invocation.js';
export type { Telemetry, TelemetryProperties } from './telemetry/telemetry.js';
export { getTelemetry, flushTelemetry } from './telemetry/runtime-telemetry.js';
