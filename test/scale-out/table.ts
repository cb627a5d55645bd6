/**
 * The scale-out results as one Markdown table: one row per (host, scenario, N), the figures
 * without and with refresh jitter side by side, and whether each stays under the documented limits.
 * Requests per minute count every request an instance sent; per second "to Entra" counts only those
 * that reached the regional service (a managed-identity host answers most from its own cache).
 */
import { documentedLimits } from './limits.js';
import type { ScenarioResult } from './scenarios.js';

const columns = ['host', 'scenario', 'N', 'first minute', 'peak/min off → on', 'mean/min off → on', 'peak/s to Entra off → on', 'peak/s per instance', '429s off → on', 'caller failures', 'under limits (whole run)?'];

const round = (n: number): string => (n >= 10 ? String(Math.round(n)) : n.toFixed(1));

function underLimits(results: readonly ScenarioResult[]): string {
  const instance = documentedLimits.find((l) => l.appliesTo === 'instance');
  const fleet = documentedLimits.find((l) => l.appliesTo === 'fleet');
  const perInstance = Math.max(...results.map((r) => r.overall.peakPerInstancePerSecond));
  const perFleet = Math.max(...results.map((r) => r.overall.peakUpstreamPerSecond));
  const marks = [
    instance && perInstance > instance.perSecond ? `✗ > ${instance.perSecond}/s per instance` : '✓ instance',
    fleet && perFleet > fleet.perSecond ? `✗ > ${fleet.perSecond}/s fleet` : '✓ fleet',
  ];
  return marks.join(', ');
}

export function renderTable(results: readonly ScenarioResult[]): string {
  const lines = [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`];
  const keys = [...new Set(results.map((r) => `${r.host}|${r.scenario}|${r.instances}`))];
  for (const key of keys) {
    const pair = results.filter((r) => `${r.host}|${r.scenario}|${r.instances}` === key);
    const off = pair.find((r) => !r.jitter);
    const on = pair.find((r) => r.jitter);
    if (!off || !on) continue;
    const both = (f: (r: ScenarioResult) => string): string => `${f(off)} → ${f(on)}`;
    lines.push(
      `| ${[
        off.host,
        `${off.scenario} (${off.window})`,
        String(off.instances),
        String(off.firstMinute),
        both((r) => String(r.figures.peakPerMinute)),
        both((r) => round(r.figures.meanPerMinute)),
        both((r) => String(r.figures.peakUpstreamPerSecond)),
        String(Math.max(off.overall.peakPerInstancePerSecond, on.overall.peakPerInstancePerSecond)),
        both((r) => String(r.figures.throttled)),
        String(off.callerFailures + on.callerFailures),
        underLimits(pair),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
