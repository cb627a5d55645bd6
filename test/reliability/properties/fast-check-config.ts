/**
 * One fast-check configuration for the reliability properties: a fixed seed unless FC_SEED says
 * otherwise (CI never changes it, so a failure reproduces), and FC_RUNS runs per property. On a
 * failure fast-check prints the seed and the shrunk counterexample's path; `FC_SEED=<seed>
 * FC_RUNS=<n>` replays it.
 */
import fc from 'fast-check';

export const defaultSeed = 20_261_201;

export const propertySeed = Number(process.env['FC_SEED'] ?? defaultSeed);
export const propertyRuns = Number(process.env['FC_RUNS'] ?? 300);

export function configureProperties(): void {
  fc.configureGlobal({ seed: propertySeed, numRuns: propertyRuns, endOnFailure: true });
}

/**
 * Strings people and producers actually get wrong: any UTF-16 (lone surrogates), NUL, RTL marks,
 * astral characters, numbers in every spelling, URLs, whitespace.
 */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\t', '\u0000', '\uD800', '\uDFFF', '\u202E\u200F', '😀', '𝔘', '-1', '0', '00', '1e3', '0x10', '1.5', '9007199254740993', 'NaN', 'Infinity', 'true', 'TRUE', 'yes', 'null', 'https://', 'http://127.0.0.1:1/', 'https://x.vault.azure.net', 'a'.repeat(300)),
  fc.integer().map(String),
  fc.double().map(String),
  fc.webUrl(),
);
