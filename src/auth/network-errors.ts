/** Node's codes for "we never got an answer": the endpoint is unreachable, not misbehaving. */
const networkErrorCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENETDOWN', 'EHOSTDOWN', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT',
  'REQUEST_SEND_ERROR',
]);

export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && networkErrorCodes.has(code)) return code;
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string' && /socket hang up|ECONNRESET|ECONNREFUSED/.test(message)) return 'ECONNRESET';
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The reason the provider aborts a request with when its deadline passes. */
export class DeadlineExceeded extends Error {
  override readonly name = 'TimeoutError';
}

/** True when `signal` was aborted because the request deadline passed (not by a caller). */
export function deadlinePassed(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof DeadlineExceeded;
}
