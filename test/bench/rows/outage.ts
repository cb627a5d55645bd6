/**
 * 5xx outages without Retry-After (30 s and 10 min, callers at 10 calls/s, nothing cached), and
 * caller errors during an outage while a cached token is still valid.
 */
import { maxRetryDelayMs, retryJitterRatio } from '../../../src/auth/defaults.js';
import type { BenchContext, TargetOutcome } from '../bench-context.js';
import { count, durationMs, ratio } from '../format.js';
import { cell, met, type Cell, type RowSpec } from './row.js';
import { gaps, isExponential, markAt, requestOffsets, requestsBefore, retryGapsPerCall } from './request-log.js';
import { callsText, runScenario, scaleText, type ScenarioRun } from './scenario-targets.js';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}`;

function recoveryText(outcome: TargetOutcome): string {
  const ms = outcome.data.firstTokenAfterRecoveryMs;
  return typeof ms === 'number' ? `first token ${durationMs(ms)} after recovery` : 'no token after recovery';
}

/** Ours: one request at a time for the identity, so the schedule is the gaps between requests. */
function oursOutageCell(outcome: TargetOutcome): { cell: Cell; firstRetryMs: number; gapsMs: number[] } {
  const gapsMs = gaps(requestOffsets(outcome, 'start'));
  const firstRetryMs = gapsMs[0] ?? Number.NaN;
  const shown = gapsMs.slice(0, 8).map(seconds).join(', ');
  const text = `first retry +${seconds(firstRetryMs)} s; gaps ${shown}${gapsMs.length > 8 ? ' …' : ''} s; ${recoveryText(outcome)}; ${count(outcome.tokenRequests.length)} requests`;
  return { cell: cell(firstRetryMs, 'ms', text), firstRetryMs, gapsMs };
}

/** Requests while the outage lasted, and per second (the scenarios differ in length). */
function outageRequests(outcome: TargetOutcome): { requests: number; perSecond: number } {
  const outageMs = markAt(outcome, 'recovered') - markAt(outcome, 'start');
  const requests = requestsBefore(outcome, 'start', outageMs).length;
  return { requests, perSecond: requests / (outageMs / 1000) };
}

/** Stock: every call retries on its own; the schedule is the first call's retries, and the request rate. */
function stockOutageCell(outcome: TargetOutcome): Cell {
  const perCall = retryGapsPerCall(outcome.tokenRequests).find((callGaps) => callGaps.length > 0) ?? [];
  const firstRetryMs = perCall[0] ?? Number.NaN;
  const { requests, perSecond } = outageRequests(outcome);
  const schedule = perCall.length === 0 ? 'no retry within a call' : `a call retries after ${perCall.map(seconds).join(', ')} s`;
  return cell(firstRetryMs, 'ms', `${schedule}; ${count(requests)} requests during the outage (${perSecond.toFixed(1)}/s); ${recoveryText(outcome)}`);
}

function outageRow(id: string, outageS: number, figure: string, withDac: boolean): RowSpec {
  return {
    id,
    figure,
    target: 'first retry ≥ 5 s after the failure, exponential, never faster; report recovery → first token',
    how: 'callers at 10 calls/s, nothing cached',
    async run(context: BenchContext) {
      // Stock runs in real time: the 10-minute outage shortened to 60 s (1 s for a quick run).
      const stockScale = context.quick ? 1 / outageS : outageS > 60 ? 60 / outageS : 1;
      const ours = await runScenario(context, 'ours', { scenario: 'outage', label: `${outageS} s outage`, scale: 1, outageS, tailMs: 420_000 });
      const stockRun: ScenarioRun = { scenario: 'outage', label: `${outageS} s outage`, scale: stockScale, outageS, tailMs: context.quick ? 1_000 : 5_000 };
      const stock = await runScenario(context, 'stock', stockRun);
      const dac = withDac ? await runScenario(context, 'dac', stockRun) : undefined;
      const mine = oursOutageCell(ours);
      const stockCell = stockOutageCell(stock);
      const capMs = maxRetryDelayMs * (1 + retryJitterRatio);
      const fine = mine.firstRetryMs >= 5_000 && mine.gapsMs.every((gap) => gap >= 5_000) && isExponential(mine.gapsMs, maxRetryDelayMs);
      return {
        ours: mine.cell,
        stock: stockCell,
        dac: dac === undefined ? undefined : stockOutageCell(dac),
        ratio: `requests/s during the outage ${ratio(outageRequests(stock).perSecond, outageRequests(ours).perSecond)}`,
        met: met(fine),
        how:
          `503 without Retry-After, callers at 10 calls/s, nothing cached; ours on virtual time (full ${outageS} s); ` +
          `stock in real time${stockScale === 1 ? '' : `, outage scaled ${scaleText(stockScale)} (${Math.round(outageS * stockScale)} s)`}; ` +
          `gaps between requests from the emulator's log (back-off cap ${seconds(maxRetryDelayMs)}–${seconds(capMs)} s with jitter)` +
          (withDac ? '' : '; DefaultAzureCredential not run (its managed-identity credential retries per call as in the 30 s row)'),
        raw: { ours: { ...ours.data, gapsMs: mine.gapsMs }, stock: { ...stock.data, requests: stock.tokenRequests.length }, dac: dac?.data },
      };
    },
  };
}

function errorsCell(outcome: TargetOutcome): Cell {
  const errors = outcome.data.errors as number;
  return cell(errors, 'errors', callsText(outcome));
}

function outageWithCachedTokenRow(): RowSpec {
  return {
    id: 'outage-cached-token',
    figure: 'caller errors during an outage while a cached token is valid · managed identity',
    target: '0',
    how: 'token with a 305 s lifetime, then 503 for every request; callers at 10 calls/s',
    async run(context: BenchContext) {
      const stockWindowMs = context.quick ? 2_000 : 12_000;
      const ours = await runScenario(context, 'ours', { scenario: 'outage-cached', label: 'outage with a cached token', scale: 1, windowMs: 303_000 });
      const stockRun: ScenarioRun = { scenario: 'outage-cached', label: 'outage with a cached token', scale: 1, windowMs: stockWindowMs };
      const stock = await runScenario(context, 'stock', stockRun);
      const dac = await runScenario(context, 'dac', stockRun);
      return {
        ours: errorsCell(ours),
        stock: errorsCell(stock),
        dac: errorsCell(dac),
        ratio: '—',
        met: met(ours.data.errors === 0 && ours.data.unfinished === 0),
        how:
          `one token (305 s lifetime), then 503 without Retry-After from 1 s on, callers at 10 calls/s; ours on virtual time over the token's whole validity (303 s, ` +
          `refresh-ahead and back-off included); stock in real time over the first ${stockWindowMs / 1000} s (MSAL treats a token with < 5 min left as due: from 5 s on)`,
        raw: { ours: ours.data, stock: stock.data, dac: dac.data },
      };
    },
  };
}

export function outageRows(): RowSpec[] {
  return [
    outageRow('outage-30s', 30, '5xx outage of 30 s, no Retry-After · managed identity', true),
    outageRow('outage-10min', 600, '5xx outage of 10 min, no Retry-After · managed identity', false),
    outageWithCachedTokenRow(),
  ];
}
