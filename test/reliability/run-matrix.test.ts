/**
 * The runner's own rules, on tiny sections with no emulator: a throwing row is a failed row with
 * `crash` and the rows after it still run; a failed check fails its row and is listed under the
 * table; a server left listening fails the leftover rule; --only selects by group, row or credential.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { formatHuman, formatJson } from './format-matrix.js';
import { check, section, type MatrixSection } from './matrix.js';
import { captureResources } from './process-hygiene.js';
import { runMatrix } from './run-matrix.js';

function fakeSection(stopped: string[]): MatrixSection {
  return section({
    group: 'fake',
    start: () => Promise.resolve({ calls: 0 }),
    stop: () => {
      stopped.push('fake');
      return Promise.resolve();
    },
    rows: [
      { name: 'throws', run: () => Promise.reject(new Error('boom')) },
      { name: 'fails a check', credential: 'certificate', run: () => Promise.resolve({ injected: 'x', outcome: 'y', requests: 'none', checks: [check('rule A', true), check('rule B', false, 'measured 3')] }) },
      { name: 'passes', credential: 'managed-identity', run: () => Promise.resolve({ injected: 'x', outcome: 'ok', requests: 'none', checks: [check('rule A', true)] }) },
    ],
  });
}

describe('reliability matrix runner', () => {
  it('turns a throwing row into a failed row with crash, runs the rest, stops the section, and lists failed checks', async () => {
    const stopped: string[] = [];
    const lines: string[] = [];
    const run = await runMatrix([fakeSection(stopped)], { progress: (line) => lines.push(line) });
    assert.deepEqual(
      run.rows.map((r) => [r.name, r.passed, r.crash]),
      [
        ['throws', false, 'Error: boom'],
        ['fails a check', false, undefined],
        ['passes', true, undefined],
      ],
    );
    assert.deepEqual(stopped, ['fake']);
    assert.equal(lines.length, 3, 'one progress line per row');
    assert.equal(run.passed, false);
    const printed = formatHuman(run);
    assert.match(printed, /✗ fake · fails a check \(cert\)\n {4}rule B: measured 3/);
    assert.doesNotMatch(printed, /rule A:/, 'passing checks are not listed');
    assert.match(printed, /^FAIL: 3 rows \(fake\), 1 passed, 2 failed/m);
    assert.equal((JSON.parse(formatJson(run)) as { rows: unknown[] }).rows.length, 3);
  });

  it('--only keeps rows by group, row name or credential', async () => {
    const run = await runMatrix([fakeSection([])], { only: 'passes (managed' });
    assert.deepEqual(run.rows.map((r) => r.name), ['passes']);
    assert.equal(run.passed, true);
  });

  it('a server left listening fails the leftover rule; closed, it passes', async () => {
    const baseline = captureResources({ graceMs: 50 });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const left = await baseline.check();
    assert.equal(left.ok, false);
    assert.match(left.detail ?? '', /TCPServerWrap ×1/);
    await assert.rejects(baseline.assertClosed('the fake section'), /^Error: the fake section left open after stop: .*TCPServerWrap ×1/);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    assert.equal((await baseline.check()).ok, true);
    await baseline.assertClosed('the fake section');
  });

  it('a handle that closes within the grace period is not counted as left open', async () => {
    const baseline = captureResources({ graceMs: 2_000 });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // Closed a few timer ticks later, as a socket is when the far end's FIN arrives.
    setTimeout(() => server.close(), 30);
    assert.equal((await baseline.check()).ok, true);
  });
});
