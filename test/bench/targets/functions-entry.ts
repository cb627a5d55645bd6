/**
 * Target: the function app's entry point (package.json `main`, dist/functions/index.js) loaded the
 * way test/support does it: the Functions worker's core API stand-in installed first, then the
 * entry imported, which builds the settings and the token provider and registers both functions.
 * Reports the monotonic clock once both are registered (see cold-start.ts).
 *
 *   node functions-entry.js
 */
import { installFunctionsCoreShim, registeredFunction } from '../../../src/sandbox/host/functions-core-shim.js';
import { runTarget } from './kit.js';

runTarget(async () => {
  installFunctionsCoreShim();
  await import('../../../functions/index.js');
  registeredFunction('inventorySweep');
  registeredFunction('ingestEvents');
  const doneAtNs = process.hrtime.bigint();
  return { doneAtNs: doneAtNs.toString(), sinceTimeOriginMs: performance.now() };
});
