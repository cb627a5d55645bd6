/**
 * Bad input, generated: every settings reader, for arbitrary strings, either accepts or throws
 * the typed setting error naming a setting (the very one, where the rule is simple enough to
 * state); the queue message validator classifies arbitrary bytes, JSON and Unicode without
 * throwing, and the worker never stores an unsigned, badly signed or tampered event; valid
 * generated events are stored once however often they are delivered. In-process, for volume;
 * the bad-input matrix section sends a generated sample through Azurite, the host and PostgreSQL.
 * Seed and runs: properties/fast-check-config.ts (FC_SEED, FC_RUNS).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { systemClock } from '../../src/auth/clock.js';
import { TokenError } from '../../src/auth/errors.js';
import type { Environment } from '../../src/environment.js';
import { CachedSecret } from '../../src/jobs/cached-secret.js';
import { ingestMessage } from '../../src/jobs/ingest-events.js';
import { hasValidSignature, parseEventMessage } from '../../src/jobs/ingest-message.js';
import { createTestCa, type TestCa } from '../../src/sandbox/ca.js';
import { handlerBody } from '../../src/sandbox/host/queue-host.js';
import { AppSettingError } from '../../src/settings/setting-error.js';
import { RecordingTelemetry } from '../support/recording-telemetry.js';
import { configureProperties, hostileString, propertyRuns, propertySeed } from './properties/fast-check-config.js';
import { eventShapedJson, signed, tamper, tampering, unsignedEvent } from './properties/event-arbitraries.js';
import { settingGroups, settingOracles, type SettingGroup } from './properties/settings-arbitraries.js';
import { MemoryEventStore } from './properties/memory-event-store.js';

const key = 'property-signing-key-0123456789abcdef';
const maxBytes = 16_384;
const reasons = new Set(['oversized', 'not_json', 'wrong_shape', 'unknown_type', 'bad_signature', 'unstorable']);
const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The settings an error names (`A, B` and `A or B` name several). */
function namedSettings(error: unknown): string[] | undefined {
  const typed = error instanceof AppSettingError || (error instanceof TokenError && error.code === 'configuration_error');
  if (!typed || typeof error.setting !== 'string' || !error.message.includes(error.setting)) return undefined;
  return error.setting.split(/, | or /);
}

function readOutcome(group: SettingGroup, env: Environment): { accepted: true } | { accepted: false; names: string[] | undefined; error: unknown } {
  try {
    group.read(env);
    return { accepted: true };
  } catch (error) {
    return { accepted: false, names: namedSettings(error), error };
  }
}

describe(`bad input, generated (fast-check seed ${propertySeed}, ${propertyRuns} runs per property)`, () => {
  let ca: TestCa;
  let groups: SettingGroup[];
  let known: Set<string>;

  before(() => {
    configureProperties();
    ca = createTestCa();
    groups = settingGroups(ca.makeClientCertificate('properties').path);
    known = new Set(groups.flatMap((group) => [...group.settings, ...Object.keys(group.base)]));
  });

  after(() => ca?.cleanup());

  it('every settings reader accepts or throws the typed setting error naming a setting it reads, for any values of any of its settings', () => {
    for (const group of groups) {
      const changes = fc.dictionary(fc.constantFrom(...group.settings), hostileString, { minKeys: 1, maxKeys: 3 });
      fc.assert(
        fc.property(changes, (changed) => {
          const outcome = readOutcome(group, { ...group.base, ...changed });
          if (outcome.accepted) return;
          assert.ok(outcome.names?.every((name) => known.has(name)), `${group.name}: ${String(outcome.error)}`);
        }),
      );
    }
  });

  it('a setting with a simple rule is accepted exactly when valid, and otherwise the error names that very setting', () => {
    for (const group of groups) {
      const simple = group.settings.filter((name) => name in settingOracles);
      if (simple.length === 0) continue;
      fc.assert(
        fc.property(fc.constantFrom(...simple), hostileString, (name, value) => {
          const trimmed = value.trim();
          const valid = trimmed === '' || (settingOracles[name] as (v: string) => boolean)(trimmed);
          const outcome = readOutcome(group, { ...group.base, [name]: value });
          assert.equal(outcome.accepted, valid, `${name}=${JSON.stringify(value)}: ${outcome.accepted ? 'accepted' : String(outcome.error)}`);
          if (!outcome.accepted) assert.deepEqual(outcome.names, [name], String(outcome.error));
        }),
      );
    }
  });

  it('the validator classifies arbitrary bytes, JSON and event-shaped values without throwing, and accepts nothing unsigned', () => {
    const texts = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      eventShapedJson.map((value) => JSON.stringify(value)),
      fc.string({ unit: 'grapheme', minLength: maxBytes / 4, maxLength: maxBytes / 2 }),
    );
    fc.assert(
      fc.property(texts, (text) => {
        const parsed = parseEventMessage(handlerBody(text), text, maxBytes);
        if (!parsed.ok) {
          assert.ok(reasons.has(parsed.reason), parsed.reason);
          assert.equal(typeof parsed.detail, 'string');
          if (Buffer.byteLength(text) > maxBytes) assert.equal(parsed.reason, 'oversized');
          return;
        }
        assert.equal(hasValidSignature(key, parsed.event), false, 'a generated message does not carry a valid signature');
      }),
    );
  });

  it('a signed event changed in any field, or unsigned, is rejected and never stored', async () => {
    const store = new MemoryEventStore();
    const deps = { store, signingKey: new CachedSecret(store.vaultHolding(key), 'signing-key', systemClock, 60_000), telemetry: new RecordingTelemetry(), log: silentLog, maxMessageBytes: maxBytes };
    let n = 0;
    await fc.assert(
      fc.asyncProperty(unsignedEvent, tampering, async (event, change) => {
        const message = tamper(signed(key, event), change);
        fc.pre(message !== undefined);
        const text = JSON.stringify(message);
        const outcome = await ingestMessage({ body: handlerBody(text), text, id: `m-${n++}`, dequeueCount: 1 }, deps);
        assert.equal(outcome.status, 'rejected', `${change.field}: ${JSON.stringify(outcome)}`);
      }),
    );
    assert.equal(store.size, 0);
  });

  it('a valid generated event is stored once, with its payload, however often it is delivered', async () => {
    const store = new MemoryEventStore();
    const deps = { store, signingKey: new CachedSecret(store.vaultHolding(key), 'signing-key', systemClock, 60_000), telemetry: new RecordingTelemetry(), log: silentLog, maxMessageBytes: maxBytes };
    await fc.assert(
      fc.asyncProperty(unsignedEvent, fc.integer({ min: 1, max: 3 }), async (event, deliveries) => {
        store.clear();
        const text = JSON.stringify(signed(key, event));
        const statuses: string[] = [];
        for (let i = 0; i < deliveries; i++) statuses.push((await ingestMessage({ body: handlerBody(text), text, id: 'm', dequeueCount: 1 }, deps)).status);
        assert.deepEqual(statuses, ['stored', ...Array.from({ length: deliveries - 1 }, () => 'duplicate')]);
        assert.equal(store.size, 1);
        assert.deepEqual(store.get(event.id)?.payload, JSON.parse(JSON.stringify(event.payload)));
      }),
    );
  });
});
