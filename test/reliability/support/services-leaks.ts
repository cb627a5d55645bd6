/**
 * The leak rule for the Key Vault, PostgreSQL and Azurite rows: what the jobs let out (telemetry
 * items with their errors, log lines, failed deliveries' errors) must hold no issued token, no
 * identity header and no value the vault holds (the signing key included).
 */
import { LeakScan } from '../checks/leak-scan.js';
import type { Check } from '../matrix.js';
import type { ServiceStack } from './service-stack.js';

export interface LeakSources {
  telemetry: { items: readonly unknown[] };
  logLines?: readonly string[];
  errors?: readonly unknown[];
}

export function servicesLeakCheck(services: ServiceStack, sources: LeakSources): Check {
  const leaks = new LeakScan().watchIdentity(services.stack.identity).watchVault(services.stack.vault);
  leaks.addTelemetry(sources.telemetry.items);
  for (const [i, item] of sources.telemetry.items.entries()) {
    const error = (item as { error?: unknown }).error;
    if (error !== undefined) leaks.addError(`telemetry item ${i + 1} error`, error);
  }
  for (const line of sources.logLines ?? []) leaks.add('job log', line);
  for (const [i, error] of (sources.errors ?? []).entries()) leaks.addError(`delivery error ${i + 1}`, error);
  return leaks.check();
}
