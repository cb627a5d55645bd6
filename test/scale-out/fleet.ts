/**
 * A fleet of N Function instances on one virtual clock: each a real ResilientTokenProvider with
 * its own cache over its own in-memory managed-identity endpoint, all talking to one Region. An
 * instance starts with C concurrent cold callers per scope, then serves one invocation per scope
 * every `invocationEveryMs` (cache hits, and the refreshes they trigger).
 */
import { ResilientTokenProvider } from '../../src/auth/provider.js';
import { ManagedIdentitySource } from '../../src/auth/managed-identity-source.js';
import { VirtualClock } from '../support/scheduled-clock.js';
import { endpoint, identityHeader, instanceEndpoint } from './memory-managed-identity.js';
import { Region, type ThrottleWindow } from './region.js';
import { seededRandom } from './seeded-random.js';

export const fleetScopes = ['https://vault.azure.net/.default', 'https://ossrdbms-aad.database.windows.net/.default'];

export interface FleetOptions {
  instances: number;
  /** Concurrent callers per scope when an instance starts (a burst of invocations on a cold instance). */
  coldCallers: number;
  /** Instances start at uniform random times within this window (0: all at the same instant). */
  startSpreadMs: number;
  durationMs: number;
  jitter: boolean;
  lifetimeSeconds: number;
  /** The host's server-side cache renews this long before expiry; undefined: no server-side cache. */
  renewBeforeSeconds: number | undefined;
  invocationEveryMs: number;
  throttle?: ThrottleWindow | undefined;
  seed: number;
}

export interface FleetRun {
  start: number;
  region: Region;
  callerFailures: number;
  calls: number;
}

export async function runFleet(options: FleetOptions): Promise<FleetRun> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const start = clock.now();
  const region = new Region(clock.now);
  if (options.throttle) region.throttle({ ...options.throttle, from: start + options.throttle.from, until: start + options.throttle.until });
  const random = seededRandom(options.seed);
  const providers: ResilientTokenProvider[] = [];
  let callerFailures = 0;
  let calls = 0;
  const call = (provider: ResilientTokenProvider, scope: string): void => {
    calls += 1;
    provider.getToken(scope).catch(() => (callerFailures += 1));
  };

  for (let instance = 0; instance < options.instances; instance++) {
    const startsAt = Math.floor(random() * options.startSpreadMs);
    const jitterRandom = seededRandom(options.seed * 1_000 + instance);
    clock.schedule(startsAt, () => {
      const transport = instanceEndpoint({ instance, region, now: clock.now, lifetimeSeconds: options.lifetimeSeconds, renewBeforeSeconds: options.renewBeforeSeconds });
      const source = new ManagedIdentitySource({ protocol: 'app-service', endpoint, identityHeader }, transport, clock);
      const provider = new ResilientTokenProvider(source, { clock, refreshJitter: { ratio: options.jitter ? undefined : 0, random: jitterRandom } });
      providers.push(provider);
      for (const scope of fleetScopes) for (let c = 0; c < options.coldCallers; c++) call(provider, scope);
      const invoke = (): void => {
        for (const scope of fleetScopes) call(provider, scope);
        clock.schedule(options.invocationEveryMs, invoke);
      };
      clock.schedule(options.invocationEveryMs, invoke);
    });
  }
  await clock.advance(options.durationMs);
  for (const provider of providers) provider.close();
  return { start, region, callerFailures, calls };
}
