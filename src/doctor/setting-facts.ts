/**
 * Settings as the report shows them: the value for ordinary settings, `set (hidden)` for
 * secrets, `unset` otherwise. A secret's value never enters the report, so no renderer can leak it.
 */
import type { SettingFact } from './report.js';
import type { LoadedSettings } from './settings-source.js';

const secretSettings = new Set(['IDENTITY_HEADER', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_CLIENT_SECRET', 'MSI_SECRET']);
/** Anything named like a secret is treated as one, whoever reads it next. */
const secretPattern = /(SECRET|PASSWORD|_HEADER|_KEY|CONNECTION_STRING)$/i;

export function isSecretSetting(name: string): boolean {
  return secretSettings.has(name) || secretPattern.test(name);
}

export function settingFacts(settings: LoadedSettings): SettingFact[] {
  return settings.readNames.map((name) => {
    const value = settings.peek(name);
    const secret = isSecretSetting(name);
    const blank = value === undefined || value.trim() === '';
    const origin = settings.origin(name);
    const display = value === undefined ? 'unset' : blank ? 'unset (blank)' : secret ? 'set (hidden)' : value;
    return { name, display, origin, secret };
  });
}

/** The values of every secret setting present, read or not: what the output must never contain. */
export function secretValues(settings: LoadedSettings): string[] {
  const values = settings.names.filter(isSecretSetting).flatMap((name) => {
    const value = settings.peek(name);
    return value !== undefined && value.trim().length >= 4 ? [value, value.trim()] : [];
  });
  return [...new Set(values)];
}
