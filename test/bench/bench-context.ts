/**
 * What a row needs to measure: run a target in a fresh child against the shared emulators, with
 * what the emulators observed attached. An exclusive target runs alone between two resets of the
 * emulators; the others get a reset when nothing else runs (always, in a full run). Outcomes are
 * remembered by label, so rows that compare against the same stock figure run it once.
 */
import type { RecordedRequest } from '../../src/sandbox/identity/types.js';
import type { AppBackends } from './app-backends.js';
import type { TargetData } from './protocol.js';
import type { BenchSandbox, Mark } from './sandbox.js';
import { randomUUID } from 'node:crypto';
import { spawnTarget } from './spawn-target.js';
import { targetEnv, type EnvRequest } from './target-env.js';
import { TargetScheduler } from './target-scheduler.js';

export interface TargetSpec extends EnvRequest {
  /** One progress line: what runs. Also the key outcomes are remembered by. */
  label: string;
  script: string;
  args?: Record<string, string | number> | undefined;
  /** Give the app role the token this child will be issued (PostgreSQL targets). */
  postgres?: boolean | undefined;
  /** The Key Vault emulator answers each call after this long while the target runs (exclusive targets). */
  vaultLatencyMs?: number | undefined;
  /**
   * Runs alone, after a reset of the emulators: its figure comes from their request log, faults
   * or clock. Other targets may share the machine in a quick run.
   */
  exclusive?: boolean | undefined;
  nodeArgs?: string[] | undefined;
  timeoutMs?: number | undefined;
}

export interface TargetOutcome {
  data: TargetData;
  spawnedAtNs: bigint;
  wallMs: number;
  /** Token requests the emulator received while this child ran (its own only when exclusive). */
  tokenRequests: RecordedRequest[];
  marks: Mark[];
  /** Envelopes the ingestion capture received from this child (its own instrumentation key). */
  telemetryItems: number;
}

export interface BenchContext {
  readonly quick: boolean;
  readonly sandbox: BenchSandbox;
  readonly backends: AppBackends;
  run(spec: TargetSpec): Promise<TargetOutcome>;
  /** Runs `spec` once more in another fresh process (samples), never remembered. */
  sample(spec: TargetSpec): Promise<TargetOutcome>;
}

export class BenchRunner implements BenchContext {
  private readonly outcomes = new Map<string, Promise<TargetOutcome>>();
  private readonly scheduler: TargetScheduler;

  constructor(
    readonly sandbox: BenchSandbox,
    readonly backends: AppBackends,
    readonly quick: boolean,
    private readonly progress: (line: string) => void,
  ) {
    this.scheduler = new TargetScheduler(quick ? 2 : 1);
  }

  run(spec: TargetSpec): Promise<TargetOutcome> {
    let outcome = this.outcomes.get(spec.label);
    if (outcome === undefined) {
      outcome = this.sample(spec);
      this.outcomes.set(spec.label, outcome);
    }
    return outcome;
  }

  sample(spec: TargetSpec): Promise<TargetOutcome> {
    return this.scheduler.run(spec.exclusive === true, () => this.spawn(spec));
  }

  private async spawn(spec: TargetSpec): Promise<TargetOutcome> {
    const exclusive = spec.exclusive === true;
    if (exclusive || this.scheduler.alone) this.sandbox.reset();
    try {
      return await this.spawnTarget(spec);
    } finally {
      // Its faults and clock must not outlive it: the next target may start without a reset.
      if (exclusive) this.sandbox.reset();
    }
  }

  private async spawnTarget(spec: TargetSpec): Promise<TargetOutcome> {
    if (spec.postgres === true) await this.backends.prepareAppRole();
    if (spec.vaultLatencyMs !== undefined) this.sandbox.vault.setLatency(spec.vaultLatencyMs);
    const instrumentationKey = randomUUID();
    const args = Object.entries(spec.args ?? {}).flatMap(([name, value]) => [`--${name}`, String(value)]);
    try {
      const result = await spawnTarget({
        script: spec.script,
        args,
        env: targetEnv(this.sandbox, this.backends, { ...spec, instrumentationKey }),
        nodeArgs: spec.nodeArgs,
        timeoutMs: spec.timeoutMs ?? 120_000,
        onControl: (request) => this.sandbox.control(request),
      });
      const observed = this.sandbox.observed(spec.identity === 'mi' ? 'mi' : 'entra', instrumentationKey);
      this.progress(`  ✓ ${spec.label} (${(result.wallMs / 1000).toFixed(1)} s)`);
      return { ...result, ...observed };
    } catch (error) {
      this.progress(`  ✗ ${spec.label}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      throw error;
    }
  }
}
