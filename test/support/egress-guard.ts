/**
 * The egress guard: while installed, every outbound TCP connection attempt of this process is
 * recorded, and any that is not to loopback is refused before a packet leaves (the socket is
 * destroyed with EGRESS_REFUSED instead of connecting; a host name other than `localhost` is
 * refused before its DNS lookup). `dns.lookup` of such names is refused the same way.
 *
 *   const guard = installEgressGuard();
 *   … run the suite …
 *   guard.refused();   // every attempt that was not loopback, the documented telemetry probe included
 *   guard.uninstall();
 *
 * Child processes run under egress-guard-preload.ts (`egressGuardChildEnv(file)`) and append
 * their attempts to that file; `readEgressReport(file)` reads them back.
 */
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { connectTarget, describeTarget } from './egress/connect-target.js';
import { egressVerdict, isLoopbackHost, type EgressVerdict } from './egress/egress-policy.js';

export { documentedTelemetryProbe, egressVerdict, type EgressVerdict } from './egress/egress-policy.js';

export interface EgressAttempt {
  /** `host:port`, `[v6]:port`, or `unix:/path` for local sockets. */
  target: string;
  verdict: EgressVerdict | 'ipc';
  via: 'connect' | 'dns.lookup';
  /** The first frames outside Node's own modules: who tried (after an async hop, e.g. inside fetch, only Node's frames are left). */
  caller: string;
  pid: number;
}

export interface EgressGuard {
  /** Every attempt since this guard was installed, loopback included. */
  attempts(): EgressAttempt[];
  /** The attempts that were refused (not loopback), the documented probe included. */
  refused(): EgressAttempt[];
  uninstall(): void;
}

export const EGRESS_REFUSED = 'EGRESS_REFUSED';

export class EgressRefusedError extends Error {
  override readonly name = 'EgressRefusedError';
  readonly code = EGRESS_REFUSED;
  constructor(readonly target: string) {
    super(`egress guard: connection to ${target} refused; the reliability suite may reach loopback only`);
  }
}

type Listener = (attempt: EgressAttempt) => void;

interface GuardState {
  installs: number;
  log: EgressAttempt[];
  listeners: Set<Listener>;
  restore: () => void;
}

// On globalThis so that two copies of this module (a preload and a test) share one patch.
const stateKey = Symbol.for('resilient-daemon-functions.egress-guard');
const globals = globalThis as { [stateKey]?: GuardState };

function callerOf(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const frames = (new Error().stack ?? '').split('\n').slice(1).map((line) => line.trim());
  Error.stackTraceLimit = limit;
  const outside = frames.filter((line) => !/node:|<anonymous>|egress-guard|\/egress\//.test(line));
  return outside.slice(0, 3).join(' < ') || frames.slice(0, 3).join(' < ');
}

function patch(state: GuardState): () => void {
  const record = (attempt: Omit<EgressAttempt, 'caller' | 'pid'>): void => {
    const full = { ...attempt, caller: attempt.verdict === 'loopback' || attempt.verdict === 'ipc' ? '' : callerOf(), pid: process.pid };
    state.log.push(full);
    for (const listener of state.listeners) listener(full);
  };
  // Read off the prototype and re-applied with the socket as `this` below.
  const originalConnect = Reflect.get(net.Socket.prototype, 'connect') as (this: net.Socket, ...args: unknown[]) => net.Socket;
  function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
    const target = connectTarget(args);
    const described = describeTarget(target);
    const verdict = target.kind === 'ipc' ? 'ipc' : egressVerdict(target.host, target.port);
    record({ target: described, verdict, via: 'connect' });
    if (verdict === 'loopback' || verdict === 'ipc') return originalConnect.apply(this, args);
    // Asynchronous, as a real connection error is: callers attach their 'error' listener after connect().
    process.nextTick(() => this.destroy(new EgressRefusedError(described)));
    return this;
  }
  Reflect.set(net.Socket.prototype, 'connect', guardedConnect);

  const originalLookup = dns.lookup;
  const originalPromisesLookup = dns.promises.lookup;
  const refusesName = (hostname: unknown): hostname is string => typeof hostname === 'string' && net.isIP(hostname) === 0 && !isLoopbackHost(hostname);
  const guardedLookup = function (this: unknown, hostname: unknown, ...rest: unknown[]): unknown {
    if (!refusesName(hostname)) return Reflect.apply(originalLookup, this, [hostname, ...rest]);
    record({ target: `${hostname} (name)`, verdict: 'refused', via: 'dns.lookup' });
    const callback = rest.at(-1);
    if (typeof callback === 'function') process.nextTick(() => (callback as (error: Error) => void)(new EgressRefusedError(hostname)));
    return undefined;
  };
  const guardedPromisesLookup = function (this: unknown, hostname: unknown, ...rest: unknown[]): unknown {
    if (!refusesName(hostname)) return Reflect.apply(originalPromisesLookup, this, [hostname, ...rest]);
    record({ target: `${hostname} (name)`, verdict: 'refused', via: 'dns.lookup' });
    return Promise.reject(new EgressRefusedError(hostname));
  };
  Reflect.set(dns, 'lookup', guardedLookup);
  Reflect.set(dns.promises, 'lookup', guardedPromisesLookup);

  return () => {
    Reflect.set(net.Socket.prototype, 'connect', originalConnect);
    Reflect.set(dns, 'lookup', originalLookup);
    Reflect.set(dns.promises, 'lookup', originalPromisesLookup);
  };
}

/** Installs the guard (or joins the one installed); it stays until the last handle uninstalls. */
export function installEgressGuard(options: { onAttempt?: Listener } = {}): EgressGuard {
  let state = globals[stateKey];
  if (!state) {
    const created: GuardState = { installs: 0, log: [], listeners: new Set(), restore: () => undefined };
    created.restore = patch(created);
    state = globals[stateKey] = created;
  }
  const shared = state;
  shared.installs++;
  if (options.onAttempt) shared.listeners.add(options.onAttempt);
  const from = shared.log.length;
  let installed = true;
  const attempts = (): EgressAttempt[] => shared.log.slice(from);
  return {
    attempts,
    refused: () => attempts().filter((a) => a.verdict === 'refused' || a.verdict === 'documented-telemetry-probe'),
    uninstall() {
      if (!installed) return;
      installed = false;
      if (options.onAttempt) shared.listeners.delete(options.onAttempt);
      if (--shared.installs === 0) {
        shared.restore();
        delete globals[stateKey];
      }
    },
  };
}

/** The preload module, as a `file:` URL for `--import`. */
export const egressGuardPreload = new URL('./egress-guard-preload.js', import.meta.url).href;

/** Environment for a child process that runs under the guard and appends its attempts to `reportFile`. */
export function egressGuardChildEnv(reportFile: string, nodeOptions = ''): { NODE_OPTIONS: string; EGRESS_GUARD_REPORT: string } {
  return { NODE_OPTIONS: `${nodeOptions} --import=${egressGuardPreload}`.trim(), EGRESS_GUARD_REPORT: reportFile };
}

/** The attempts children wrote to `reportFile` (one JSON line each); none when the file does not exist. */
export function readEgressReport(reportFile: string): EgressAttempt[] {
  let text: string;
  try {
    text = readFileSync(reportFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EgressAttempt);
}

/** One line for a report: `3 attempts, 2 loopback; refused: 169.254.169.254:80 (documented telemetry probe)`. */
export function summariseEgress(attempts: readonly EgressAttempt[]): string {
  const loopback = attempts.filter((a) => a.verdict === 'loopback' || a.verdict === 'ipc').length;
  const refused = attempts.filter((a) => a.verdict !== 'loopback' && a.verdict !== 'ipc');
  const listed = [...new Set(refused.map((a) => `${a.target}${a.verdict === 'documented-telemetry-probe' ? ' (documented telemetry probe)' : ''}`))];
  return `${attempts.length} attempts, ${loopback} loopback; refused: ${listed.length === 0 ? 'none' : listed.join(', ')}`;
}
