/**
 * The queue message contract as a producer meets it: event.schema.json decides the shape (the
 * worker enforces that very file with ajv), a few storability rules follow it in code, and every
 * rejection keeps its reason and names the field at fault without echoing the value.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeViolations, knownEventTypes } from '../../src/jobs/event-schema.js';
import { parseEventMessage, signEvent } from '../../src/jobs/ingest-message.js';
import { hasUnstorableText, isRealInstant } from '../../src/jobs/storable-event.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const key = 'key';
const base = { id: 'e-1', type: 'device.status', occurredAt: '2030-01-01T00:00:00Z', payload: { ok: true } };
const valid = { ...base, signature: signEvent(key, base) };

function parse(body: unknown, maxBytes = 4096) {
  return parseEventMessage(body, typeof body === 'string' ? body : JSON.stringify(body), maxBytes);
}

describe('the event contract: event.schema.json, then what a database can store', () => {
  const rejections: [string, string, unknown][] = [
    ['not_json', 'text that is not JSON', '{oops'],
    ['wrong_shape', 'an array', '[1,2]'],
    ['wrong_shape', 'a JSON string', '"text"'],
    ['wrong_shape', 'JSON null', 'null'],
    ['wrong_shape', 'a JSON number', '7'],
    ['wrong_shape', 'an empty id', { ...valid, id: '' }],
    ['wrong_shape', 'a "/" in the id', { ...valid, id: 'site/42' }],
    ['wrong_shape', 'an id starting with "."', { ...valid, id: '.e-1' }],
    ['wrong_shape', 'an id of 129 characters', { ...valid, id: 'a'.repeat(129) }],
    ['wrong_shape', 'a field the schema does not name', { ...valid, source: 'producer-7' }],
    ['wrong_shape', 'a missing signature', base],
    ['wrong_shape', 'a type that is not a string', { ...valid, type: 7 }],
    ['wrong_shape', 'occurredAt in words', { ...valid, occurredAt: 'yesterday' }],
    ['wrong_shape', 'occurredAt without a zone', { ...valid, occurredAt: '2030-01-01T00:00:00' }],
    ['wrong_shape', 'occurredAt with a lower-case t', { ...valid, occurredAt: '2030-01-01t00:00:00Z' }],
    ['wrong_shape', 'occurredAt with ten fraction digits', { ...valid, occurredAt: '2030-01-01T00:00:00.1234567890Z' }],
    // RFC 3339 has no 24:00 (ISO 8601's end of day); JavaScript alone used to let it through.
    ['wrong_shape', 'occurredAt at 24:00', { ...valid, occurredAt: '2030-01-01T24:00:00Z' }],
    ['wrong_shape', 'a payload that is an array', { ...valid, payload: [1] }],
    ['wrong_shape', 'a null payload', { ...valid, payload: null }],
    ['wrong_shape', 'a signature without its padding', { ...valid, signature: valid.signature.slice(0, 43) }],
    // Values no database can hold are bad input, caught before they could be retried as transient.
    ['wrong_shape', 'February 30th', { ...valid, occurredAt: '2024-02-30T00:00:00Z' }],
    ['wrong_shape', 'year 0000', { ...valid, occurredAt: '0000-01-01T00:00:00Z' }],
    ['wrong_shape', 'a leap second', { ...valid, occurredAt: '2016-12-31T23:59:60Z' }],
    ['wrong_shape', 'a NUL in a payload string', { ...valid, payload: { note: 'a\u0000b' } }],
    ['wrong_shape', 'a lone surrogate in a payload string', { ...valid, payload: { note: '\ud800 lone surrogate' } }],
    ['wrong_shape', 'a NUL in a nested payload key', { ...valid, payload: { list: [{ ['k\u0000']: 1 }] } }],
    ['unknown_type', 'a type not on the list', { ...valid, type: 'billing.charged' }],
    ['oversized', 'more bytes than the limit', { ...valid, payload: { big: 'x'.repeat(5000) } }],
  ];
  for (const [reason, what, body] of rejections) {
    it(`${what} is rejected as ${reason}`, () => {
      const parsed = parse(body);
      assert.equal(parsed.ok ? 'ok' : parsed.reason, reason);
    });
  }

  it('a well-formed event is accepted, given as object or as text', () => {
    assert.ok(parse(valid).ok);
    assert.ok(parse(JSON.stringify(valid)).ok);
    for (const event of [
      { ...valid, occurredAt: '2024-02-29T23:59:59.5+01:00', payload: { emoji: '\ud83d\ude00' } },
      { ...valid, occurredAt: '0001-01-01T00:00:00.123456789-12:00' },
      { ...valid, id: `A0._:-${'z'.repeat(122)}`, payload: {} },
    ]) {
      assert.ok(parse(event).ok, JSON.stringify(event));
    }
  });

  it('the type alone off the list is unknown_type; a broken shape besides makes it wrong_shape', () => {
    const alone = parse({ ...valid, type: 'billing.charged' });
    assert.deepEqual(!alone.ok && [alone.reason, alone.detail, alone.eventId], ['unknown_type', 'unknown event type "billing.charged"', 'e-1']);
    const both = parse({ ...valid, type: 'billing.charged', source: 'x' });
    assert.deepEqual(!both.ok && [both.reason, both.detail], ['wrong_shape', 'unexpected field "source"']);
    const unstorable = parse({ ...valid, type: 'billing.charged', payload: { note: '\u0000' } });
    assert.equal(!unstorable.ok && unstorable.reason, 'wrong_shape');
  });

  it('a rejection names the failing field and never echoes its value', () => {
    const cases: [unknown, string][] = [
      [{ ...valid, id: 'site/42' }, 'id must match pattern "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"'],
      [{ ...valid, source: 'x'.repeat(5000) }, 'unexpected field "source"'],
      [{ ...base }, 'signature is missing'],
      [{ ...valid, type: 7 }, 'type must be string'],
      [{ ...valid, occurredAt: '2030-01-01T24:00:00Z' }, 'occurredAt must match format "date-time"'],
      [{ ...valid, payload: [1] }, 'payload must be object'],
      [{ ...valid, signature: 'not base64' }, 'signature must match pattern "^[A-Za-z0-9+/]{43}=$"'],
      [[1, 2], 'the message must be object'],
      [{ ...valid, id: 'a/b', payload: 'p', extra: 1 }, 'id must match pattern "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$" (also: payload, extra)'],
    ];
    for (const [body, detail] of cases) {
      const parsed = parse(body, 65_536);
      assert.equal(!parsed.ok && parsed.detail, detail, JSON.stringify(body).slice(0, 80));
    }
    const hugeKey = parse({ ...valid, ['k'.repeat(10_000)]: 1 }, 65_536);
    assert.ok(!hugeKey.ok && hugeKey.detail.length < 100, 'a 10 kB field name is cut short');
  });

  it('after the first finding, a rejection names at most five other fields, then an ellipsis', () => {
    const extra = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i + 1}`, 1]));
    const idRule = 'id must match pattern "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"';
    const five = parse({ ...valid, id: 'a/b', ...extra(5) });
    assert.equal(!five.ok && five.detail, `${idRule} (also: f1, f2, f3, f4, f5)`);
    const six = parse({ ...valid, id: 'a/b', ...extra(6) });
    assert.equal(!six.ok && six.detail, `${idRule} (also: f1, f2, f3, f4, f5, …)`);
  });

  it('findings are listed in field order (id, type, occurredAt, payload, signature, then others), each field once', () => {
    const everything = parse({ type: 7, occurredAt: 'x', payload: [1], signature: 'bad', extra: 1 });
    assert.equal(!everything.ok && everything.detail, 'id is missing (also: type, occurredAt, payload, signature, extra)');
    const late = parse({ ...valid, type: 7, occurredAt: 'x', signature: undefined });
    assert.equal(!late.ok && late.detail, 'type must be string (also: occurredAt, signature)');
    const twice = parse({ ...valid, occurredAt: 'yesterday' });
    assert.ok(!twice.ok && !twice.detail.includes('(also:'), 'a field that breaks two rules is named once');
    assert.equal(describeViolations([]), 'the message matches the schema');
  });

  it('a field name is quoted up to 64 characters, longer ones cut with an ellipsis, in the list too', () => {
    const name64 = 'f'.repeat(64);
    const at = parse({ ...valid, [name64]: 1 });
    assert.equal(!at.ok && at.detail, `unexpected field "${name64}"`);
    const over = parse({ ...valid, [`${name64}f`]: 1 });
    assert.equal(!over.ok && over.detail, `unexpected field "${name64}…"`);
    const listed = parse({ ...valid, id: 'a/b', [`${'g'.repeat(64)}g`]: 1 });
    assert.ok(!listed.ok && listed.detail.endsWith(`(also: ${'g'.repeat(64)}…)`));
    const type = parse({ ...valid, type: 't'.repeat(70) });
    assert.equal(!type.ok && type.detail, `unknown event type "${'t'.repeat(64)}"`);
  });

  it('each rejection beyond the schema says what is wrong', () => {
    const details: [unknown, string][] = [
      ['{oops', 'the message is not JSON'],
      [{ ...valid, occurredAt: '0000-01-01T00:00:00Z' }, 'occurredAt must be a real calendar date and time in years 0001-9999'],
      [{ ...valid, payload: { a: '\u0000' } }, 'payload holds a NUL character or malformed Unicode'],
    ];
    for (const [body, detail] of details) {
      const parsed = parse(body);
      assert.equal(!parsed.ok && parsed.detail, detail);
    }
  });

  it('the event id is reported only when the id itself conforms', () => {
    const good = parse({ ...valid, source: 'x' });
    assert.equal(!good.ok && good.eventId, 'e-1');
    const bad = parse({ ...valid, id: 'site/42' });
    assert.equal(!bad.ok && bad.eventId, undefined);
    // A junk id is withheld even when it is not the message's only fault.
    const badAmongOthers = parse({ ...valid, id: 'site/42', source: 'x' });
    assert.equal(!badAmongOthers.ok && badAmongOthers.eventId, undefined);
    // The id's fault is named first even beside an unexpected field whose name is empty.
    const emptyKey = parse({ '': 1, ...valid, id: 'site/42' });
    assert.match(!emptyKey.ok ? emptyKey.detail : '', /^id /);
    for (const text of ['null', '7', '"e-1"']) {
      const notObject = parse(text);
      assert.deepEqual(!notObject.ok && [notObject.reason, notObject.eventId], ['wrong_shape', undefined], text);
    }
  });

  it('the known types are the schema\'s list, and the schema is draft 2020-12', () => {
    const schema = JSON.parse(readFileSync(`${repoRoot}src/jobs/event.schema.json`, 'utf8')) as { $schema: string; properties: { type: { enum: string[] } } };
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.deepEqual([...knownEventTypes], schema.properties.type.enum);
    assert.deepEqual([...knownEventTypes], ['device.reading', 'device.status', 'device.alert']);
  });
});

describe('what a database can store, checked whatever the schema validator asserts', () => {
  // The schema's `format` says the calendar part too, but not every validator asserts formats.
  const instants: [string, boolean][] = [
    ['2030-06-15T12:00:00Z', true],
    ['0001-01-01T00:00:00Z', true],
    ['9999-12-31T23:59:59Z', true],
    ['2000-02-29T00:00:00Z', true], // divisible by 400: a leap year
    ['2024-02-29T00:00:00Z', true],
    ['1900-02-29T00:00:00Z', false], // divisible by 100 only: not a leap year
    ['2023-02-29T00:00:00Z', false],
    ['2030-04-31T00:00:00Z', false],
    ['2030-01-00T00:00:00Z', false],
    ['2030-01-32T00:00:00Z', false],
    ['2030-00-10T00:00:00Z', false],
    ['2030-13-10T00:00:00Z', false],
    ['0000-06-15T00:00:00Z', false],
    ['10000-01-01T00:00:00Z', false],
    ['2030-06-15T25:00:00Z', false],
  ];
  it('an instant is a real calendar date and time in years 0001-9999', () => {
    assert.deepEqual(instants.map(([text]) => [text, isRealInstant(text)]), instants);
  });

  const texts: [string, unknown, boolean][] = [
    ['plain text', { a: 'text', b: ['x', 1, null, true], c: { d: 'y' } }, false],
    ['a surrogate pair (an emoji)', { a: '\ud83d\ude00' }, false],
    ['a NUL in a string', { a: 'a\u0000' }, true],
    ['a NUL in a string inside an array', { a: [1, 'ok', 'b\u0000'] }, true],
    ['a NUL in a top-level key', { ['k\u0000']: 1 }, true],
    ['a high surrogate at the end of a string', { a: 'x\ud83d' }, true],
    ['a low surrogate alone', { a: '\ude00x' }, true],
    ['two high surrogates', { a: '\ud83d\ud83d\ude00' }, true],
  ];
  for (const [what, payload, unstorable] of texts) {
    it(`${what} ${unstorable ? 'cannot' : 'can'} be stored`, () => {
      assert.equal(hasUnstorableText(payload), unstorable);
    });
  }
});

describe('INGEST_MAX_MESSAGE_BYTES counts the UTF-8 bytes of the decoded message text', () => {
  // "é" is one UTF-16 unit but two UTF-8 bytes: the limit is in bytes, not characters.
  const sized = (bytes: number): string => {
    const event = { ...base, payload: { note: '' } };
    const overhead = Buffer.byteLength(JSON.stringify({ ...event, signature: valid.signature }));
    const note = 'é'.repeat(Math.floor((bytes - overhead) / 2)) + 'e'.repeat((bytes - overhead) % 2);
    const payload = { note };
    return JSON.stringify({ ...base, payload, signature: signEvent(key, { ...base, payload }) });
  };

  it('a message of exactly the limit is accepted; one byte more is oversized, whatever its length in characters', () => {
    const atLimit = sized(1024);
    assert.equal(Buffer.byteLength(atLimit), 1024);
    assert.ok(parse(atLimit, 1024).ok);
    const over = sized(1025);
    assert.ok(over.length < 1024, 'fewer characters than the limit');
    const parsed = parse(over, 1024);
    assert.deepEqual(!parsed.ok && [parsed.reason, parsed.detail], ['oversized', '1025 bytes, limit 1024']);
  });
});

describe('the schema ships with the worker', () => {
  it('ajv loads and the schema compiles on the first message, not when the worker module loads', () => {
    const jobModule = new URL('../../src/jobs/ingest-events.js', import.meta.url).href;
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((path) => /[\\\\/]node_modules[\\\\/]ajv/.test(path)).length;
      const { ingestMessage } = await import(${JSON.stringify(jobModule)});
      const before = loaded();
      const { parseEventMessage } = await import(${JSON.stringify(new URL('../../src/jobs/ingest-message.js', import.meta.url).href)});
      parseEventMessage('{}', '{}', 1024);
      console.log(JSON.stringify({ before, after: loaded(), job: typeof ingestMessage }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const { before, after, job } = JSON.parse(child.stdout) as { before: number; after: number; job: string };
    assert.equal(job, 'function');
    assert.equal(before, 0, 'no ajv module loaded at import');
    assert.ok(after > 0, 'ajv loaded by the first message');
  });

  it('the compiled worker reads the schema next to it, and the published package holds it', () => {
    const built = new URL('../../src/jobs/event.schema.json', import.meta.url);
    assert.ok(existsSync(built), 'dist/src/jobs/event.schema.json');
    const source = JSON.parse(readFileSync(`${repoRoot}src/jobs/event.schema.json`, 'utf8')) as unknown;
    assert.deepEqual(JSON.parse(readFileSync(built, 'utf8')) as unknown, source, 'the build ships the schema unchanged');
    const npm = process.env['npm_execpath'];
    const pack = npm ? spawnSync(process.execPath, [npm, 'pack', '--dry-run', '--json'], { cwd: repoRoot, encoding: 'utf8' }) : spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr);
    const [tarball] = JSON.parse(pack.stdout) as [{ files: { path: string }[] }];
    const files = tarball.files.map((file) => file.path);
    assert.ok(files.includes('dist/src/jobs/event.schema.json'), 'the schema is in the package');
    assert.ok(files.includes('dist/src/jobs/ingest-message.js') && files.includes('README.md'));
  });
});
