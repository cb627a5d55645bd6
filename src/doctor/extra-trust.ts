/**
 * NODE_EXTRA_CA_CERTS in local.settings.json. Under `func start` it is in the worker's
 * environment when node starts, so node trusts it; the doctor started without it, so it adds the
 * same CA to the system's for its own checks and the provider it builds. From the environment,
 * node has already loaded it and nothing needs doing.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { settingProblem } from './configuration-checks.js';
import type { Check } from './report.js';
import type { LoadedSettings } from './settings-source.js';

export interface ExtraTrust {
  /** The system's CAs plus the extra one (PEM), when the extra one came from local.settings.json. */
  ca?: string | undefined;
  problem?: Check | undefined;
}

export function extraTrust(settings: LoadedSettings): ExtraTrust {
  const path = settings.env['NODE_EXTRA_CA_CERTS']?.trim();
  if (!path || settings.origin('NODE_EXTRA_CA_CERTS') !== 'local.settings.json') return {};
  try {
    return { ca: [...rootCertificates, readFileSync(path, 'utf8')].join('\n') };
  } catch (error) {
    const message = `NODE_EXTRA_CA_CERTS names '${path}', which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}) (setting: NODE_EXTRA_CA_CERTS)`;
    return { problem: settingProblem('NODE_EXTRA_CA_CERTS', message, 'Point NODE_EXTRA_CA_CERTS at a readable PEM file with the CA certificate to trust, or remove it.') };
  }
}
