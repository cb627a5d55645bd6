/**
 * A fast-check sample through the real queue path (the in-process properties give volume):
 * generated valid events are stored once with their payloads; generated tamperings of signed
 * events are all poisoned with their bodies intact. Same seed as the properties.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { check, type MatrixRow } from '../../matrix.js';
import { signed, tamper, tampering, unsignedEvent } from '../../properties/event-arbitraries.js';
import { propertySeed } from '../../properties/fast-check-config.js';
import { freshRow, poisonWires, rejections, sendWire, signingKey, storedRows, type BadInputContext } from './context.js';

const sampleSize = 12;
const wire = (message: unknown): string => Buffer.from(JSON.stringify(message), 'utf8').toString('base64');

export const generatedRow: MatrixRow<BadInputContext> = {
  name: `generated messages (fast-check seed ${propertySeed})`,
  async run(context) {
    await freshRow(context);
    // Ids made unique by index: two generated events with one id would race for the row.
    const valid = fc.sample(unsignedEvent, { seed: propertySeed, numRuns: sampleSize }).map((event, i) => signed(signingKey, { ...event, id: `gen-${i}-${event.id}`.slice(0, 128) }));
    const bad = fc
      .sample(fc.tuple(unsignedEvent, tampering), { seed: propertySeed + 1, numRuns: sampleSize * 2 })
      .map(([event, change], i) => tamper(signed(signingKey, { ...event, id: `bad-${i}-${event.id}`.slice(0, 128) }), change))
      .filter((message): message is Record<string, unknown> => message !== undefined)
      .slice(0, sampleSize);
    const badWires = bad.map(wire);
    for (const message of valid) await sendWire(context, wire(message));
    for (const body of badWires) await sendWire(context, body);
    await context.host.drain();

    const rows = await storedRows(context, valid.map((e) => e.id));
    const intact = valid.every((e) => rows.some((r) => r.id === e.id && isDeepStrictEqual(r.payload, JSON.parse(JSON.stringify(e.payload)))));
    const poison = await poisonWires(context);
    return {
      injected: `${valid.length} valid generated events, ${bad.length} generated tamperings`,
      outcome: `${rows.length} stored, ${poison.length} poisoned`,
      requests: `${context.host.deliveries.length} deliveries`,
      checks: [
        check('every valid generated event stored once, payload as sent', rows.length === valid.length && intact, `${rows.length}/${valid.length}`),
        check('every tampered or unsigned one poisoned, body byte-identical, reported', JSON.stringify([...poison].sort()) === JSON.stringify([...badWires].sort()) && rejections(context).length === bad.length, `${poison.length}/${bad.length}`),
        check('none retried', context.host.deliveries.every((d) => d.outcome === 'succeeded')),
      ],
    };
  },
};
