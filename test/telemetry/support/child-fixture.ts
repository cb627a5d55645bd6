/** Paths of the compiled child scripts and the JSON line each prints last. */
import { fileURLToPath } from 'node:url';

export const syntheticChild = fileURLToPath(new URL('../fixtures/synthetic-child.js', import.meta.url));
export const providerChild = fileURLToPath(new URL('../fixtures/provider-child.js', import.meta.url));
export const backgroundRefreshChild = fileURLToPath(new URL('../fixtures/background-refresh-child.js', import.meta.url));

/** The last stdout line that parses as a JSON object. */
export function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as T;
    } catch {
      continue;
    }
  }
  throw new Error(`the child printed no JSON result; stdout:\n${stdout}`);
}
