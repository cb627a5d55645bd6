/**
 * Cold start, measured: `node dist/test/cold-start/cold-start.js [runs]` starts the sandbox
 * identity emulator and ingestion capture once, then runs each scenario in fresh processes,
 * interleaved, and prints the median, min and max of process start → first token, and the files
 * each loads. Not a test: wall-clock numbers depend on the machine; the structure is tested in
 * cold-start.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { createTestCa } from '../../src/sandbox/ca.js';
import { startIdentityEmulator } from '../../src/sandbox/identity/index.js';
import { startIngestionServer } from '../../src/sandbox/ingestion/index.js';
import { runNodeScript } from '../support/child-process.js';
import type { ColdStartSample } from './cold-start-child.js';

const child = fileURLToPath(new URL('./cold-start-child.js', import.meta.url));
const runs = Number(process.argv[2] ?? 7);

/** The app's settings: it validates them at load; nothing is called but the identity endpoint. */
const appSettings = {
  KEY_VAULT_URL: 'https://127.0.0.1:9',
  POSTGRES_HOST: '127.0.0.1',
  POSTGRES_DATABASE: 'cold',
  POSTGRES_USER: 'cold',
};

const ca = createTestCa();
const identity = await startIdentityEmulator({ ca });
const ingestion = await startIngestionServer({ tls: { cert: ca.serverCertPem, key: ca.serverKeyPem } });
const identityEnv = { IDENTITY_ENDPOINT: identity.managedIdentityEndpoint, IDENTITY_HEADER: identity.identityHeader };
const telemetryEnv = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
  NODE_EXTRA_CA_CERTS: ca.caCertPath,
  TELEMETRY_DISABLE_OFFLINE_STORAGE: 'true',
};
const off = { APPLICATIONINSIGHTS_CONNECTION_STRING: '' };

const scenarios: { label: string; args: string[]; env: Record<string, string> }[] = [
  { label: 'stock ManagedIdentityCredential', args: ['stock'], env: { ...identityEnv, ...off } },
  { label: 'library, telemetry off', args: ['library'], env: { ...identityEnv, ...off } },
  { label: 'library, telemetry on', args: ['library'], env: { ...identityEnv, ...telemetryEnv } },
  { label: 'app entry, telemetry off', args: ['app'], env: { ...identityEnv, ...appSettings, ...off } },
  { label: 'app entry, telemetry on', args: ['app'], env: { ...identityEnv, ...appSettings, ...telemetryEnv } },
];

async function sample(args: string[], env: Record<string, string>): Promise<ColdStartSample> {
  const result = await runNodeScript(child, { args, env, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`cold start ${args.join(' ')} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as ColdStartSample;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

try {
  const samples = new Map<string, ColdStartSample[]>(scenarios.map((s) => [s.label, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const scenario of scenarios) samples.get(scenario.label)?.push(await sample(scenario.args, scenario.env));
  }
  console.log(`process start → first token, ${runs} runs each, node ${process.version}\n`);
  console.log('scenario                          median     min     max   loaded(median)  files');
  for (const scenario of scenarios) {
    const taken = samples.get(scenario.label) ?? [];
    const counted = await sample(scenario.args, { ...scenario.env, COLD_START_COUNT_MODULES: '1' });
    const tokens = taken.map((s) => s.tokenMs);
    const row = [
      scenario.label.padEnd(32),
      `${median(tokens).toFixed(0)} ms`.padStart(8),
      `${Math.min(...tokens).toFixed(0)}`.padStart(7),
      `${Math.max(...tokens).toFixed(0)}`.padStart(7),
      `${median(taken.map((s) => s.loadedMs)).toFixed(0)} ms`.padStart(16),
      String(counted.modules ?? '?').padStart(6),
    ];
    console.log(row.join(' '));
  }
  console.log(`\ntelemetry envelopes received: ${ingestion.envelopes.length}`);
} finally {
  await Promise.all([identity.stop(), ingestion.stop()]);
  ca.cleanup();
}
