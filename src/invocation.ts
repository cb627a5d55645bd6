/**
 * The ambient Functions invocation. Triggers run their work inside `runInInvocation`, so that a
 * token failure raised deep inside an Azure SDK call still carries the invocation id and
 * operation id of the invocation that caused it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { InvocationInfo } from './auth/events.js';

const storage = new AsyncLocalStorage<InvocationInfo>();

export function runInInvocation<T>(info: InvocationInfo, work: () => T): T {
  return storage.run(info, work);
}

export function currentInvocation(): InvocationInfo | undefined {
  return storage.getStore();
}

/** The parts of `@azure/functions`' InvocationContext we read (kept structural so src/ needs no runtime import). */
export interface InvocationContextLike {
  invocationId: string;
  functionName: string;
  traceContext?: { traceParent?: string | null | undefined } | undefined;
}

/** W3C traceparent: `00-<32 hex trace id>-<16 hex span id>-<flags>`. */
export function invocationInfoFrom(context: InvocationContextLike): InvocationInfo {
  const match = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/i.exec(context.traceContext?.traceParent ?? '');
  return {
    invocationId: context.invocationId,
    functionName: context.functionName,
    operationId: match?.[1],
    parentId: match?.[2],
  };
}
