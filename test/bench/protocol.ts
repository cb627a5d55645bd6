/**
 * What a target child and the runner say to each other. Results go over stdout as one JSON line
 * prefixed with RESULT_PREFIX (anything else a library prints is ignored). Control requests go
 * over the IPC channel and are answered once applied, so a child on virtual time can move the
 * emulator's clock and script its faults at the instant they belong to.
 */
import type { Fault } from '../../src/sandbox/identity/types.js';

export const RESULT_PREFIX = 'bench-result ';

export interface ControlRequest {
  id: number;
  /** The emulator's clock follows this (epoch ms) from now on: the child's virtual time. */
  clock?: number;
  /** A named instant of the scenario, recorded with the emulator's clock. */
  mark?: string;
  /** The default token lifetime, seconds. */
  lifetimeSeconds?: number;
  /** Every later token request gets this fault; `null` ends it. */
  fault?: Fault | null;
}

export interface ControlReply {
  id: number;
  error?: string;
}

/** Every value a target reports: flat, JSON-safe. */
export type ResultValue = number | string | boolean | null | number[] | string[];
export type TargetData = Record<string, ResultValue>;

export function isControlReply(message: unknown): message is ControlReply {
  return typeof message === 'object' && message !== null && typeof (message as { id?: unknown }).id === 'number';
}

export function isControlRequest(message: unknown): message is ControlRequest {
  return isControlReply(message);
}
