/**
 * The function app in a bench child, booted as test/support/functions-app.ts boots it: the
 * worker's core API stand-in, services configured for the local emulators (trusted through
 * NODE_EXTRA_CA_CERTS; Key Vault's challenge resource check off for 127.0.0.1), then
 * functions/index.js. The runner has put the app settings in the environment and given the app
 * role the token this process will be issued as its PostgreSQL password.
 */
import type { AppServices } from '../../../functions/services.js';
import { installFunctionsCoreShim, registeredFunction, type RegisteredFunction } from '../../../src/sandbox/host/functions-core-shim.js';

export async function bootFunctionsApp(): Promise<{ services: AppServices; fn: (name: string) => RegisteredFunction; close(): Promise<void> }> {
  installFunctionsCoreShim();
  const servicesModule = await import('../../../functions/services.js');
  servicesModule.configureServices({ keyVaultClientOptions: { disableChallengeResourceVerification: true } });
  await import('../../../functions/index.js');
  return { services: await servicesModule.getServices(), fn: registeredFunction, close: () => servicesModule.closeServices() };
}

/** Wraps `object[method]` so every call's duration (ms) is pushed to `into`. */
export function timeMethod<T extends object, K extends keyof T>(object: T, method: K, into: number[]): void {
  const original = object[method];
  if (typeof original !== 'function') throw new Error(`${String(method)} is not a method`);
  const call = original as (...args: unknown[]) => Promise<unknown>;
  const timed = async (...args: unknown[]): Promise<unknown> => {
    const started = process.hrtime.bigint();
    try {
      return await call.apply(object, args);
    } finally {
      into.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  };
  object[method] = timed as T[K];
}
