/**
 * Target: cached `getToken` latency. One token is acquired, then every call is a cache hit.
 * Each round times the harness floor and then the subject; the first round is a discarded warm-up.
 *
 *   node cached.js --impl ours|stock|dac --kind mi|cert [--via credential] [--telemetry on]
 *                  --rounds 7 --max-calls 100000 --budget-ms 400
 */
import { numberArg, parseArgs, runTarget, textArg } from './kit.js';
import { timeCalls, timeFloor } from './latency-loop.js';
import { createSubject, impls, kinds } from './subjects.js';

const cachedScope = 'https://vault.azure.net/.default';

runTarget(async () => {
  const args = parseArgs();
  const subject = await createSubject({
    impl: textArg(args, 'impl', impls),
    kind: textArg(args, 'kind', kinds),
    viaCredential: args.via === 'credential',
    telemetry: args.telemetry === 'on',
  });
  const limits = { maxCalls: numberArg(args, 'max-calls', 100_000), budgetMs: numberArg(args, 'budget-ms', 400) };
  const rounds = numberArg(args, 'rounds', 7);
  const call = (): Promise<unknown> => subject.getToken(cachedScope);
  await call();
  await timeFloor(limits);
  await timeCalls(call, limits);
  const result = { p50: [] as number[], p99: [] as number[], calls: [] as number[], floorP50: [] as number[], floorP99: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const floor = await timeFloor(limits);
    const measured = await timeCalls(call, limits);
    result.floorP50.push(floor.p50);
    result.floorP99.push(floor.p99);
    result.p50.push(measured.p50);
    result.p99.push(measured.p99);
    result.calls.push(measured.calls);
  }
  subject.close();
  // What the exporter sends shows in the runner's count of captured items.
  await subject.flushTelemetry();
  return result;
});
