/**
 * Target: memory per cached token, and the cost of a cached lookup when many scopes are cached.
 * Run with `--expose-gc`. After one warm-up token (so lazily loaded code and sockets are not
 * counted), the heap is measured after full collections, N scopes are acquired, and the heap is
 * measured again: (after - before) / N. Then the first `lookup-scopes` scopes are asked again,
 * round-robin, each call timed (up to 100,000 calls or `budget-ms` a round): the p50 per round.
 *
 *   node --expose-gc memory.js --impl ours|stock --scopes 10000 --lookup-scopes 2000 --rounds 5 --budget-ms 2000
 */
import { numberArg, parseArgs, runTarget, textArg } from './kit.js';
import { timeCalls } from './latency-loop.js';
import { createSubject, impls } from './subjects.js';

const scopeOf = (i: number): string => `https://res-${String(i).padStart(5, '0')}.bench.example/.default`;

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

runTarget(async () => {
  const args = parseArgs();
  const subject = await createSubject({ impl: textArg(args, 'impl', impls), kind: 'mi' });
  const scopes = numberArg(args, 'scopes', 10_000);
  const lookupScopes = Math.min(numberArg(args, 'lookup-scopes', 2_000), scopes);
  const rounds = numberArg(args, 'rounds', 5);
  await subject.getToken('https://warmup.bench.example/.default');
  const before = heapAfterGc();
  const concurrency = 16;
  for (let first = 0; first < scopes; first += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, scopes - first) }, (_, i) => subject.getToken(scopeOf(first + i)));
    await Promise.all(batch);
  }
  const after = heapAfterGc();
  const lookupScopeNames = Array.from({ length: lookupScopes }, (_, i) => scopeOf(i));
  let next = 0;
  const call = (): Promise<unknown> => {
    const scope = lookupScopeNames[next] as string;
    next = (next + 1) % lookupScopes;
    return subject.getToken(scope);
  };
  const limits = { maxCalls: 100_000, budgetMs: numberArg(args, 'budget-ms', 2_000) };
  const perCallNs: number[] = [];
  await timeCalls(call, limits);
  for (let round = 0; round < rounds; round++) perCallNs.push((await timeCalls(call, limits)).p50);
  subject.close();
  return { scopes, lookupScopes, bytesPerEntry: (after - before) / scopes, heapBefore: before, heapAfter: after, perCallNs };
});
