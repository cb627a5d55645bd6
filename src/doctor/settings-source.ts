/**
 * The settings the app would see under `func start`: the process environment over the `Values`
 * of `local.settings.json` in the current directory. A variable set in the environment wins,
 * even when blank, as Core Tools never overwrites one that exists. Every read is recorded, so the
 * report lists exactly the settings the provider's configuration code looked at.
 */
import type { Environment } from '../environment.js';
import { readLocalSettings } from '../settings/local-settings-file.js';
import type { SettingOrigin } from './report.js';

export { localSettingsFileName } from '../settings/local-settings-file.js';

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
