/**
 * `local.settings.json` as Core Tools reads it: its `Values` object (numbers and booleans as text),
 * or why the file exists but cannot be used. One reader for every command that runs locally.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const localSettingsFileName = 'local.settings.json';

export interface FileValues {
  values: Record<string, string>;
  file?: string | undefined;
  problem?: string | undefined;
}

export function readLocalSettings(cwd: string): FileValues {
  const file = resolve(cwd, localSettingsFileName);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { values: {} } : { values: {}, problem: `${file} cannot be read (${code ?? 'error'})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { values: {}, file, problem: `${file} is not valid JSON; func start would refuse it too` };
  }
  const values = typeof parsed === 'object' && parsed !== null ? (parsed as { Values?: unknown }).Values : undefined;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    return { values: {}, file, problem: `${file} has no "Values" object` };
  }
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') strings[name] = String(value);
  }
  return { values: strings, file };
}

