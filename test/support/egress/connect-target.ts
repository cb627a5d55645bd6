/**
 * Where a `net.Socket.prototype.connect` call is going, read from its arguments before Node does
 * anything with them. Every TCP client in the process ends there: `net.connect`, `tls.connect`,
 * `http.Agent`, undici (fetch), pg, tedious.
 */
export type ConnectTarget = { kind: 'tcp'; host: string; port: string } | { kind: 'ipc'; path: string };

export function connectTarget(args: readonly unknown[]): ConnectTarget {
  // Node passes (options[, listener]), (port[, host][, listener]), (path[, listener]) or its internal normalized array.
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: unknown; port?: unknown; path?: unknown };
    if (typeof options.path === 'string') return { kind: 'ipc', path: options.path };
    return { kind: 'tcp', host: typeof options.host === 'string' && options.host !== '' ? options.host : 'localhost', port: String(options.port) };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { kind: 'ipc', path: first };
  return { kind: 'tcp', host: typeof args[1] === 'string' && args[1] !== '' ? args[1] : 'localhost', port: String(first) };
}

export function describeTarget(target: ConnectTarget): string {
  if (target.kind === 'ipc') return `unix:${target.path}`;
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}
