/**
 * Target: one time-dependent scenario (storm, outage, outage-cached) for one implementation, on
 * managed identity. Ours on virtual time, stock in real time at `--scale`.
 *
 *   node scenario.js --scenario storm --impl ours|stock|dac [--scale 0.2] [--outage-s 30]
 *                    [--tail-ms 400000] [--window-ms 303000]
 */
import { runLoad } from './caller-load.js';
import { summariseCalls } from './call-summary.js';
import { numberArg, parseArgs, runTarget, textArg } from './kit.js';
import { RealTime, VirtualTime } from './scenario-time.js';
import { createSubject, impls } from './subjects.js';
import { scenarioNames, scenarioPlan } from './time-scenarios.js';

runTarget(async () => {
  const args = parseArgs();
  const impl = textArg(args, 'impl', impls);
  const name = textArg(args, 'scenario', scenarioNames);
  const time = impl === 'ours' ? new VirtualTime() : new RealTime();
  const subject = await createSubject(time instanceof VirtualTime ? { impl, kind: 'mi', clock: time.clock, httpTransport: time.httpTransport } : { impl, kind: 'mi' });
  const plan = scenarioPlan(name, {
    scale: numberArg(args, 'scale', 1),
    outageS: numberArg(args, 'outage-s', 30),
    tailMs: numberArg(args, 'tail-ms', 10_000),
    cachedWindowMs: numberArg(args, 'window-ms', 30_000),
  });
  // `maxWaitMs` is ours (callers that allow waiting); stock has no such option and waits inside its retry policy.
  const { records, launched } = await runLoad(time, subject.getToken, impl === 'ours' ? plan : { ...plan, callOptions: undefined });
  subject.close();
  return { ...summariseCalls(records, launched, plan.recoveredAtMs), virtualTime: time.virtual, scale: numberArg(args, 'scale', 1) };
});
