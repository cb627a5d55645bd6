/**
 * `inventorySweep`: a timer trigger on the NCRONTAB schedule of INVENTORY_SWEEP_SCHEDULE, never
 * on start-up. Thin: map the invocation to the job's input and run it in the invocation's scope.
 */
import functions from '@azure/functions';
import type { InvocationContext, Timer } from '@azure/functions';
import { invocationInfoFrom, runInInvocation } from '../src/invocation.js';
import { runInventorySweep } from '../src/jobs/inventory-sweep.js';
import { getAppSettings } from '../src/settings/app-settings.js';
import { contextLog } from './context-log.js';
import { getServices } from './services.js';

export async function inventorySweep(timer: Timer, context: InvocationContext): Promise<void> {
  const invocation = invocationInfoFrom(context);
  await runInInvocation(invocation, async () => {
    const { vault, store, telemetry, clock, settings } = await getServices();
    const log = contextLog(context);
    if (timer.isPastDue) log.warn('The inventory sweep is running late (the previous schedule slot was missed)');
    await runInventorySweep({
      vault,
      store,
      telemetry,
      log,
      clock,
      concurrency: settings.inventorySweep.concurrency,
      expiryWindowMs: settings.inventorySweep.expiryWindowMs,
      invocation,
    });
  });
}

functions.app.timer('inventorySweep', {
  schedule: getAppSettings().inventorySweep.schedule,
  runOnStartup: false,
  handler: inventorySweep,
});
