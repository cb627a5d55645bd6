/**
 * `npm run scale-out`: N = 1 to 200 Function instances, each a real ResilientTokenProvider with
 * its own cache over an in-process identity endpoint, on one virtual clock. Prints identity
 * requests per minute across the fleet at steady state, in a synchronized cold start and in a
 * regional throttling event, without and with refresh jitter, against the documented limits.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { documentedLimits, managedIdentityFaq } from './limits.js';
import { runScenarios, type ScenarioPlan } from './scenarios.js';
import { renderTable } from './table.js';

export const usage = `Usage: npm run scale-out -- [options]

Simulates a scaled-out Function App on virtual time: every instance is a real token provider with
its own in-memory cache over an in-process identity endpoint (no sockets), all on one clock.
Scenarios: steady state (starts spread over 10 min), a synchronized cold start (all instances at
one instant, 10 concurrent callers per scope each) and a regional throttling event (429 with
Retry-After: 60 to everyone for 60 s, on the first refresh wave); each without and with refresh
jitter, for a token endpoint that mints per request (Entra) and a managed-identity host with a
server-side cache. Prints one Markdown table and the documented limits it is compared with.

Options:
  --instances <list>  comma-separated fleet sizes (default 1,10,50,100,200)
  --hours <n>         simulated hours of the steady and cold-start runs (default 6)
  --json <file>       also write every figure as JSON
  --help              print this help

Runs in well under a minute; the same seed gives the same table on every run.`;

export interface ScaleOutArgs {
  help: boolean;
  plan: ScenarioPlan;
  json: string | undefined;
}

export function parseScaleOutArgs(argv: readonly string[]): ScaleOutArgs {
  const args: ScaleOutArgs = { help: false, plan: { instances: [1, 10, 50, 100, 200], durationMs: 6 * 3_600_000 }, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--json') args.json = value();
    else if (arg === '--instances') {
      const list = value().split(',').map(Number);
      if (list.some((n) => !Number.isInteger(n) || n < 1 || n > 1_000)) throw new Error('--instances takes whole numbers from 1 to 1000');
      args.plan = { ...args.plan, instances: list };
    } else if (arg === '--hours') {
      const hours = Number(value());
      if (!Number.isInteger(hours) || hours < 2 || hours > 72) throw new Error('--hours takes a whole number from 2 to 72');
      args.plan = { ...args.plan, durationMs: hours * 3_600_000 };
    } else throw new Error(`unknown option '${arg}'`);
  }
  return args;
}

export async function runScaleOut(argv: readonly string[]): Promise<number> {
  let args: ScaleOutArgs;
  try {
    args = parseScaleOutArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const started = Date.now();
  process.stderr.write(`Simulating fleets of ${args.plan.instances.join(', ')} instances (1 h tokens, 2 scopes, an invocation per scope every 5 min):\n`);
  const results = await runScenarios(args.plan, (line) => process.stderr.write(`${line}\n`));
  const limits = documentedLimits.map((l) => `- ${l.what} (compared per ${l.appliesTo}): ${l.source}`).join('\n');
  process.stdout.write(`${renderTable(results)}\n\nDocumented limits:\n${limits}\n- Managed identities FAQ on rate limits: ${managedIdentityFaq}\n\n`);
  process.stdout.write(`Reproduce: npm run scale-out${argv.length ? ` -- ${argv.join(' ')}` : ''}   (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  if (args.json) writeFileSync(args.json, `${JSON.stringify({ plan: args.plan, limits: documentedLimits, results }, null, 2)}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runScaleOut(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}
