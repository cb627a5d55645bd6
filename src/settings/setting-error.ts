/** The error every app setting fails with, and the reader that raises it: one place for both. */
import { settingReader, type Environment, type SettingReader } from '../environment.js';

export class AppSettingError extends Error {
  override readonly name = 'AppSettingError';
  readonly code = 'configuration_error';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${message} (setting: ${setting})`);
  }
}

/** App settings fail as AppSettingError, naming the setting. */
export function appSettingReader(env: Environment): SettingReader {
  return settingReader(env, (setting, message) => new AppSettingError(setting, message));
}
