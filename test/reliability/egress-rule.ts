/**
 * The matrix's egress rule: the whole run happens under the egress guard, and nothing but loopback
 * may have been attempted, except the documented telemetry-SDK probe (refused, and listed).
 */
import { installEgressGuard, summariseEgress } from '../support/egress-guard.js';
import { check, type Check } from './matrix.js';

export interface EgressWatch {
  /** Uninstalls the guard and returns the rule over every attempt it saw. */
  stop(): Check;
}

export function watchEgress(): EgressWatch {
  const guard = installEgressGuard();
  return {
    stop() {
      const attempts = guard.attempts();
      const unexpected = guard.refused().filter((attempt) => attempt.verdict !== 'documented-telemetry-probe');
      guard.uninstall();
      return check('nothing but loopback was attempted (the documented telemetry probe refused and listed)', unexpected.length === 0, summariseEgress(attempts));
    },
  };
}
