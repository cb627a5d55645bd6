/**
 * Child process of cold-start.ts: one cold start, measured from process start (performance's
 * time origin) to the first token. `library` imports the package by name and asks
 * getTokenProvider(); `stock` asks @azure/identity's ManagedIdentityCredential; `app` loads the
 * app's `main` through the worker's core API stand-in (as src/local/app-host.ts does), then asks
 * the provider the app built. With COLD_START_COUNT_MODULES=1 it also counts loaded files (the
 * hook costs time, so that run is not a timed one).
 */
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

export interface ColdStartSample {
  scenario: string;
  /** Process start to the entry point imported (for `app`: both functions registered). */
  loadedMs: number;
  /** Process start to the first token in hand. */
  tokenMs: number;
  modules?: number;
  /** npm packages loaded by the first token (with COLD_START_COUNT_MODULES=1). */
  packages?: string[];
  registered?: string[];
}

const scope = 'https://vault.azure.net/.default';
const root = join(import.meta.dirname, '..', '..', '..');
const loaded = new Set<string>();
if (process.env['COLD_START_COUNT_MODULES'] === '1') {
  registerHooks({
    load(url, context, nextLoad) {
      loaded.add(url);
      return nextLoad(url, context);
    },
  });
}

interface TokenGetter {
  getToken(scope: string): Promise<unknown>;
}
interface AppMain {
  getTokenProvider?: () => TokenGetter;
}

async function run(scenario: string): Promise<ColdStartSample> {
  if (scenario === 'stock') {
    const { ManagedIdentityCredential } = await import('@azure/identity');
    const loadedMs = performance.now();
    await new ManagedIdentityCredential().getToken(scope);
    return { scenario, loadedMs, tokenMs: performance.now() };
  }
  if (scenario === 'library') {
    const { getTokenProvider } = await import('resilient-daemon-functions');
    const loadedMs = performance.now();
    await getTokenProvider().getToken(scope);
    return { scenario, loadedMs, tokenMs: performance.now() };
  }
  if (scenario === 'app') {
    const shim = await import('../../src/sandbox/host/functions-core-shim.js');
    shim.installFunctionsCoreShim();
    const { main } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    const app = (await import(pathToFileURL(join(root, main)).href)) as AppMain;
    const loadedMs = performance.now();
    const registered = ['inventorySweep', 'ingestEvents'].map((name) => shim.registeredFunction(name).name);
    // The bundle carries its own copy of the runtime: ask the provider the app itself built.
    const getTokenProvider = app.getTokenProvider ?? (await import('../../src/runtime.js')).getTokenProvider;
    await getTokenProvider().getToken(scope);
    return { scenario, loadedMs, tokenMs: performance.now(), registered };
  }
  throw new Error(`unknown scenario "${scenario}" (stock, library or app)`);
}

const sample = await run(process.argv[2] ?? '');
/** `file:///…/node_modules/@azure/identity/dist/…` -> `@azure/identity` (innermost node_modules wins). */
function packageOf(url: string): string | undefined {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const [first = '', second = ''] = url.slice(at + '/node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

if (loaded.size > 0) {
  const files = [...loaded].filter((url) => url.startsWith('file:'));
  sample.modules = files.length;
  sample.packages = [...new Set(files.map(packageOf).filter((name) => name !== undefined))].sort();
}
process.stdout.write(`${JSON.stringify(sample)}\n`);
// The provider's refresh timer and the exporter would keep the process alive; the sample is taken.
process.exit(0);
