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
  readonly now: () => number;
  readonly host: ServerHost;
  /** Managed identity only: tokens handed out again until they are renewed. */
  readonly serverCache: ServerTokenCache;
}
