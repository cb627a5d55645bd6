/** `npm run soak -- [options]`: what can be asked, and the help that says so. */

export interface SoakArgs {
  help: boolean;
  json: boolean;
  minutes: number;
  simulatedDays: number;
}

export const usage = `Usage: npm run soak -- [options]

Runs the product for a while and checks that nothing accumulates and nothing is lost:
  Phase A, real time: the sandbox (identity, Key Vault, Azurite, PostgreSQL) with both functions in
    their own process, messages produced at a steady rate, the sweep every 20 s, under a mixed fault
    schedule (identity 429/503/hang/reset, Key Vault 429/5xx, a PostgreSQL restart).
  Phase B, injected clock: the token provider with managed identity and with certificate
    credentials, three scopes, simulated days with faults every day.
Then it prints a summary table of the bounds and exits 1 if any is broken.

Options:
  --minutes <n>          real minutes of phase A (default 3; fractions allowed; 0 skips it)
  --simulated-days <n>   simulated days of phase B (default 3; 0 skips it)
  --json                 print the figures as JSON instead of the table (progress stays on stderr)
  --help                 print this help`;

export function parseSoakArgs(argv: readonly string[]): SoakArgs {
  const args: SoakArgs = { help: false, json: false, minutes: 3, simulatedDays: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const number = (min: number, max: number): number => {
      const raw = argv[++i];
      const value = Number(raw);
      if (raw === undefined || raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) throw new Error(`${arg} takes a number from ${min} to ${max}`);
      return value;
    };
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--minutes') args.minutes = number(0, 24 * 60);
    else if (arg === '--simulated-days') args.simulatedDays = Math.round(number(0, 60));
    else throw new Error(`unknown option '${arg}'`);
  }
  return args;
}
