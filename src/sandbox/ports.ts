/**
 * Ports nobody listens on, for "connection refused" cases: bind port 0 on 127.0.0.1, note the
 * port the OS chose, close. Another process could take the port in between; on a test machine
 * that window is negligible.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A URL on 127.0.0.1 where nothing listens, e.g. `refusedUrl('/msi/token')`. */
export async function refusedUrl(path = '/', protocol: 'http' | 'https' = 'http'): Promise<string> {
  return `${protocol}://127.0.0.1:${await unusedPort()}${path}`;
}
