/**
 * Turns a scripted fault into what goes on the wire. Shared by both protocols: only the default
 * error body differs (App Service, IMDS and Entra each have their own shape).
 */
import type { Exchange } from './exchange.js';
import { resetMidBody, resetSocket, send, sendBadJson } from './exchange.js';
import type { ServerHost } from './server-host.js';
import type { Fault, LifetimeDefaults } from './types.js';

/**
 * `answered`: the fault was the whole answer. Otherwise answer normally with these lifetime
 * settings; `freshToken` when a scripted success asks for a newly minted token (it bypasses a
 * managed-identity host's server-side cache).
 */
export type FaultOutcome = { answered: true } | { answered: false; lifetime: LifetimeDefaults; freshToken: boolean };

export async function applyFault(
  exchange: Exchange,
  fault: Fault | undefined,
  context: { host: ServerHost; now: () => number; lifetime: LifetimeDefaults; errorBody: (status: number) => object },
): Promise<FaultOutcome> {
  if (fault === undefined) return { answered: false, lifetime: context.lifetime, freshToken: false };
  exchange.record.fault = fault.kind;
  switch (fault.kind) {
    case 'status': {
      const headers: Record<string, string> = { ...fault.headers };
      if (fault.retryAfter !== undefined) {
        headers['retry-after'] = fault.retryAfter;
        exchange.record.retryAfter = fault.retryAfter;
      }
      send(exchange, fault.status, fault.body ?? context.errorBody(fault.status), headers);
      return { answered: true };
    }
    case 'hang':
      // exchange.ts marks the record `abandoned` when its connection closes unanswered.
      context.host.hang(exchange.res);
      return { answered: true };
    case 'reset':
      resetSocket(exchange);
      return { answered: true };
    case 'reset-mid-body':
      resetMidBody(exchange);
      return { answered: true };
    case 'bad-json':
      sendBadJson(exchange);
      return { answered: true };
    case 'delay':
      await context.host.delay(fault.ms);
      return { answered: false, lifetime: context.lifetime, freshToken: false };
    case 'slow':
      await context.host.until(context.now, context.now() + fault.ms);
      return { answered: false, lifetime: context.lifetime, freshToken: false };
    case 'success':
      return {
        answered: false,
        freshToken: true,
        lifetime: {
          lifetimeSeconds: fault.lifetimeSeconds ?? context.lifetime.lifetimeSeconds,
          refreshInSeconds: fault.refreshInSeconds ?? context.lifetime.refreshInSeconds,
          includeExpiresIn: fault.includeExpiresIn ?? context.lifetime.includeExpiresIn,
        },
      };
  }
}
