/**
 * Target: cold start, process start to first token. The runner notes the monotonic clock just
 * before it spawns this process; this reports the same clock once the first token is in hand
 * (`process.hrtime` is system-wide monotonic, so the two compare). Everything is loaded after
 * start, as an app would: ours from the package's `.` entry, stock from @azure/identity.
 *
 *   node cold-start.js --impl ours|stock|dac [--telemetry on]
 */
import { parseArgs, runTarget, textArg } from './kit.js';
import { createSubject, impls } from './subjects.js';

runTarget(async () => {
  const args = parseArgs();
  const subject = await createSubject({ impl: textArg(args, 'impl', impls), kind: 'mi', telemetry: args.telemetry === 'on' });
  const token = await subject.getToken('https://vault.azure.net/.default');
  const doneAtNs = process.hrtime.bigint();
  if (token === null) throw new Error('no token');
  // Performance.now() counts from this process's own time origin (before its bootstrap ran).
  return { doneAtNs: doneAtNs.toString(), sinceTimeOriginMs: performance.now() };
});
