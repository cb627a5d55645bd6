/**
 * The settings the app would see under `func start`: the process environment over the `Values`
 * of `local.settings.json` in the current directory. A variable set in the environment wins,
 * even when blank, as Core Tools never overwrites one that exists. Every read is recorded, so the
 * report lists exactly the settings the provider's configuration code looked at.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Environment } from '../environment.js';
import type { SettingOrigin } from './report.js';

export const localSettingsFileName = 'local.settings.json';

export interface LoadedSettings {
  /** The merged view; reading it records the name. */
  env: Environment;
  /** Setting names in the order they were first read. */
  readonly readNames: readonly string[];
  origin(name: string): SettingOrigin;
  /** Every setting name present, read or not. */
  readonly names: readonly string[];
  /** The merged value, without recording a read. */
  peek(name: string): string | undefined;
  /** Absolute path of the local.settings.json that was read. */
  file?: string | undefined;
  /** Why local.settings.json exists but could not be used. */
  problem?: string | undefined;
}

interface FileValues {
  values: Record<string, string>;
  file?: string | undefined;
  problem?: string | undefined;
}

function readLocalSettings(cwd: string): FileValues {
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

const settingName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function loadSettings(processEnv: Environment, cwd: string): LoadedSettings {
  const local = readLocalSettings(cwd);
  const merged: Record<string, string | undefined> = { ...local.values };
  for (const [name, value] of Object.entries(processEnv)) if (value !== undefined) merged[name] = value;
  const readNames: string[] = [];
  const env = new Proxy(merged, {
    get(target, name) {
      if (typeof name === 'string' && settingName.test(name) && !readNames.includes(name)) readNames.push(name);
      return typeof name === 'string' ? target[name] : undefined;
    },
  });
  return {
    env,
    readNames,
    origin(name) {
      if (processEnv[name] !== undefined) return 'environment';
      return local.values[name] !== undefined ? 'local.settings.json' : 'unset';
    },
    names: Object.keys(merged),
    peek: (name) => merged[name],
    file: local.file,
    problem: local.problem,
  };
}
