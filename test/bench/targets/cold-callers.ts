/**
 * Target: N concurrent cold callers. A fresh process (nothing cached, static MSAL state
 * included) starts N getToken calls at once and waits for all of them; the runner counts the
 * token requests the emulator received.
 *
 *   node cold-callers.js --impl ours|stock|dac --kind mi|cert --callers 1000
 */
import { numberArg, parseArgs, runTarget, textArg } from './kit.js';
import { createSubject, impls, kinds } from './subjects.js';

const scope = 'https://vault.azure.net/.default';

runTarget(async () => {
  const args = parseArgs();
  const subject = await createSubject({ impl: textArg(args, 'impl', impls), kind: textArg(args, 'kind', kinds) });
  const callers = numberArg(args, 'callers', 1000);
  const started = process.hrtime.bigint();
  const outcomes = await Promise.allSettled(Array.from({ length: callers }, () => subject.getToken(scope)));
  const elapsedNs = Number(process.hrtime.bigint() - started);
  subject.close();
  const errors = outcomes.filter((outcome) => outcome.status === 'rejected').length;
  const tokens = new Set(outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' && outcome.value !== null ? [outcome.value.token] : [])));
  return { callers, errors, distinctTokens: tokens.size, elapsedNs };
});
