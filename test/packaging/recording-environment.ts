/**
 * An environment that remembers which of the app's own files read, wrote or enumerated which
 * variable: a Proxy whose traps look at the caller's stack frame. Reads by Node itself or by
 * packages in node_modules are not the app's settings and are not recorded.
 */
import { fileURLToPath } from 'node:url';

export interface EnvironmentRecord {
  /** Variable -> the files (relative to the project root) that read it. */
  reads: Record<string, string[]>;
  /** Variables the app sets itself when they are unset. */
  writes: string[];
  /** Files that listed the environment's keys: what they read then cannot be known. */
  enumeratedBy: string[];
}

const thisFile = fileURLToPath(import.meta.url);

/** `at fn (file:///x.js:1:2)`, `at file:///x.js:1:2` or a CommonJS `at fn (/x.js:1:2)`. */
function frameFile(line: string): string | undefined {
  const location = /\(([^()]+):\d+:\d+\)$/.exec(line)?.[1] ?? /^\s*at (\S+):\d+:\d+$/.exec(line)?.[1];
  if (location === undefined) return undefined;
  return location.startsWith('file://') ? fileURLToPath(location) : location;
}

/** The files on the stack, innermost first, from the first frame outside this module. */
function callerFiles(): string[] {
  const files = (new Error().stack ?? '').split('\n').flatMap((line) => frameFile(line) ?? []);
  return files.slice(files.findIndex((file) => file !== thisFile));
}

export interface RecordingOptions {
  /** The path relative to the project root when `path` is one of the app's own files. */
  appFile(path: string): string | undefined;
  /** App files that read on behalf of their caller (a shared settings reader): the caller is named. */
  readsOnBehalf?: readonly string[];
}

/** `values` behind a recording Proxy. */
export function recordingEnvironment(values: Record<string, string>, options: RecordingOptions): { env: NodeJS.ProcessEnv; record(): EnvironmentRecord } {
  const reads = new Map<string, Set<string>>();
  const writes = new Set<string>();
  const enumeratedBy = new Set<string>();
  /** The app file that touched the environment, or undefined when Node or a package did. */
  const appCaller = (): string | undefined => {
    let caller: string | undefined;
    for (const file of callerFiles()) {
      const own = options.appFile(file);
      if (own === undefined) return caller;
      caller = own;
      if (!options.readsOnBehalf?.includes(own)) return own;
    }
    return caller;
  };
  const noteRead = (key: string | symbol): void => {
    const reader = typeof key === 'string' ? appCaller() : undefined;
    if (reader !== undefined && typeof key === 'string') reads.set(key, (reads.get(key) ?? new Set()).add(reader));
  };
  const env = new Proxy<NodeJS.ProcessEnv>(
    { ...values },
    {
      get(target, key, receiver) {
        noteRead(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
      has(target, key) {
        noteRead(key);
        return Reflect.has(target, key);
      },
      set(target, key, value, receiver) {
        if (typeof key === 'string' && appCaller() !== undefined) writes.add(key);
        return Reflect.set(target, key, value, receiver);
      },
      ownKeys(target) {
        const lister = appCaller();
        if (lister !== undefined) enumeratedBy.add(lister);
        return Reflect.ownKeys(target);
      },
    },
  );
  return {
    env,
    record: () => ({
      reads: Object.fromEntries([...reads].map(([key, readers]) => [key, [...readers].sort()])),
      writes: [...writes].sort(),
      enumeratedBy: [...enumeratedBy].sort(),
    }),
  };
}
