/** A row of the table: what it measures, its target, and how its cells are filled. */
import type { BenchContext } from '../bench-context.js';

export type Met = 'yes' | 'no' | '—';

export interface Cell {
  /** The figure the cell is about, in `unit`; null when it could not be measured. */
  value: number | null;
  unit: string;
  text: string;
}

export interface RowCells {
  ours: Cell;
  /** The stock credential of the same kind (ManagedIdentityCredential or ClientCertificateCredential). */
  stock?: Cell | undefined;
  /** DefaultAzureCredential as configured by default. */
  dac?: Cell | undefined;
  ratio?: string | undefined;
  met: Met;
  /** Replaces the row's static `how` when the run adds facts (N, the floor, the scale). */
  how?: string | undefined;
  raw?: Record<string, unknown> | undefined;
}

export interface RowSpec {
  id: string;
  figure: string;
  target: string;
  how: string;
  run(context: BenchContext): Promise<RowCells>;
}

export interface RowResult extends Omit<RowCells, 'how'> {
  id: string;
  figure: string;
  target: string;
  how: string;
  ratio: string;
  error?: string | undefined;
}

export function cell(value: number | null, unit: string, text: string): Cell {
  return { value, unit, text };
}

export function met(condition: boolean): Met {
  return condition ? 'yes' : 'no';
}
