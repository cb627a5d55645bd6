/** The machine and the versions a run measured, for the table's footer and the JSON. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  packages: Record<string, string>;
  /** 1-minute load average when the run started and when it ended: other work on the machine skews timings. */
  loadAverage: { start: number; end: number };
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith('model name'));
    if (line !== undefined) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: fall through
  }
  return cpus()[0]?.model ?? 'unknown';
}

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    let dir = require.resolve(name);
    while (!dir.endsWith(`/node_modules/${name}`) && dir.includes('/node_modules/')) dir = dir.slice(0, dir.lastIndexOf('/'));
    return (JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function describeMachine(loadAtStart: number): Machine {
  return {
    loadAverage: { start: loadAtStart, end: loadNow() },
    nproc: availableParallelism(),
    cpu: cpuModel(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    packages: Object.fromEntries(['@azure/identity', '@azure/msal-node', 'applicationinsights'].map((name) => [name, packageVersion(name)])),
  };
}

/** The 1-minute load average now, one decimal. */
export function loadNow(): number {
  return Math.round((loadavg()[0] ?? 0) * 10) / 10;
}

export function machineLine(machine: Machine): string {
  const packages = Object.entries(machine.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const { start, end } = machine.loadAverage;
  return `${machine.nproc} CPUs (nproc) · ${machine.cpu} · ${machine.memoryGiB} GiB · Node ${machine.node} · ${packages} · load average ${start} → ${end}`;
}
