/**
 * The child side of a target: its arguments, its one result line, and the control channel to the
 * runner (emulator clock and faults). Every target imports this and nothing of the runner.
 */
import { RESULT_PREFIX, isControlReply, type ControlReply, type ControlRequest, type TargetData } from '../protocol.js';

export type Args = Readonly<Record<string, string>>;

/** `--name value` pairs; a flag without a value reads as `true`. */
export function parseArgs(argv: readonly string[] = process.argv.slice(2)): Args {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === undefined || !name.startsWith('--')) continue;
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) args[name.slice(2)] = 'true';
    else {
      args[name.slice(2)] = value;
      i++;
    }
  }
  return args;
}

export function numberArg(args: Args, name: string, fallback: number): number {
  const raw = args[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${raw}"`);
  return value;
}

export function textArg<T extends string>(args: Args, name: string, allowed: readonly T[]): T {
  const raw = args[name];
  if (raw === undefined || !(allowed as readonly string[]).includes(raw)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got "${raw ?? ''}"`);
  return raw as T;
}

/** Writes the result line, then ends the process (libraries may hold timers or sockets open). */
export function finish(data: TargetData): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(data)}\n`, () => process.exit(0));
}

/** Runs a target's main and reports a crash on stderr with a non-zero status. */
export function runTarget(main: () => Promise<TargetData>): void {
  main().then(finish, (error: unknown) => {
    process.stderr.write(`target failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

// A target never outlives the runner that started it.
process.on('disconnect', () => process.exit(1));

let nextId = 1;
const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

process.on('message', (message: unknown) => {
  if (!isControlReply(message)) return;
  const reply: ControlReply = message;
  const pending = waiting.get(reply.id);
  waiting.delete(reply.id);
  if (reply.error === undefined) pending?.resolve();
  else pending?.reject(new Error(reply.error));
});

/** Asks the runner to apply `request` to the emulators; resolves once it has. */
export function control(request: Omit<ControlRequest, 'id'>): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined) return Promise.reject(new Error('no control channel: run targets through the bench runner'));
  const id = nextId++;
  return new Promise<void>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    send({ ...request, id });
  });
}
