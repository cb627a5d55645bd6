/** The state both protocol handlers share: script, ledger, request log, clock, server lifecycle. */
import type { FaultScript } from './fault-script.js';
import type { ServerHost } from './server-host.js';
import type { ServerTokenCache } from './server-token-cache.js';
import type { TokenLedger } from './token-ledger.js';
import type { RecordedRequest } from './types.js';

export interface EmulatorContext {
  readonly script: FaultScript;
  readonly ledger: TokenLedger;
  readonly log: RecordedRequest[];
  /** The emulator's own clock (skewed when a test says so): expiries and assertion checks. */
  readonly now: () => number;
  /** The test's clock, unskewed: request times in the log. */
  readonly logNow: () => number;
  readonly host: ServerHost;
  /** Managed identity only: tokens handed out again until they are renewed. */
  readonly serverCache: ServerTokenCache;
}
