/** Every row of the table, in the order it prints. */
import { cachedLatencyRows } from './rows/cached-latency.js';
import { coldCallerRows } from './rows/cold-callers.js';
import { coldStartRows } from './rows/cold-start.js';
import { jobRows } from './rows/jobs.js';
import { memoryRows } from './rows/memory.js';
import { outageRows } from './rows/outage.js';
import type { RowSpec } from './rows/row.js';
import { stormRow } from './rows/storm.js';

export function benchRows(): RowSpec[] {
  return [...cachedLatencyRows(), ...coldCallerRows(), stormRow(), ...outageRows(), ...coldStartRows(), ...memoryRows(), ...jobRows()];
}

export function rowIds(): string[] {
  return benchRows().map((row) => row.id);
}
