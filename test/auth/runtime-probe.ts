/**
 * Child-process probe for the module-scope provider: builds it from this process's environment
 * exactly as a Functions worker does, uses it, and prints what happened as one JSON line.
 * It prints SHA-256 digests of tokens, never tokens.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTokenError } from '../../src/auth/errors.js';
import { getTokenProvider } from '../../src/runtime.js';

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');
const scope = process.env['PROBE_SCOPE'] ?? 'https://vault.azure.net/.default';
/** Poll (every 50 ms, for at most this long) until the token changes: a background refresh happened. */
const pollMs = Number(process.env['PROBE_POLL_FOR_REFRESH_MS'] ?? '0');

try {
  const provider = getTokenProvider();
  const concurrent = await Promise.all(Array.from({ length: 25 }, () => provider.getToken(scope)));
  const again = await getTokenProvider().getToken(scope);
  let later: { token: string; fromCache: boolean } | undefined;
  let everyPollFromCache = true;
  const pollStarted = Date.now();
  while (pollMs > 0 && Date.now() - pollStarted < pollMs) {
    await sleep(50);
    later = await provider.getToken(scope);
    everyPollFromCache &&= later.fromCache;
    if (later.token !== again.token) break;
  }
  console.log(
    JSON.stringify({
      sameInstance: provider === getTokenProvider(),
      source: provider.source,
      identity: provider.identity,
      digests: [...new Set(concurrent.map((t) => digest(t.token)))],
      againFromCache: again.fromCache,
      againDigest: digest(again.token),
      laterDigest: later ? digest(later.token) : undefined,
      everyPollFromCache,
      refreshedBeforeExpiry: later !== undefined && later.token !== again.token && Date.now() < again.expiresOnTimestamp,
    }),
  );
  provider.close();
} catch (error) {
  console.error(isTokenError(error) ? `${error.code}: ${error.message}` : String(error));
  process.exitCode = 2;
}
