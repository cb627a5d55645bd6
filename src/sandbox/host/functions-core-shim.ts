/**
 * Registers functions the way the Azure Functions Node.js worker does, without a host: the worker
 * answers `require('@azure/functions-core')` with its core API, and `@azure/functions`'
 * `app.timer`/`app.storageQueue` hand it the function metadata and the handler. Outside a host
 * that module does not exist and `app.*` only warns ("test mode") and registers nothing, so the
 * tests install this stand-in first and then import functions/index.js: they call exactly the
 * handlers, with exactly the bindings, that the host would.
 */
import Module from 'node:module';

export interface RegisteredBinding {
  type: string;
  direction: 'in' | 'out';
  name?: string;
  queueName?: string;
  connection?: string;
  schedule?: string;
  runOnStartup?: boolean;
  [key: string]: unknown;
}

export interface RegisteredFunction {
  name: string;
  bindings: Record<string, RegisteredBinding>;
  handler: (input: unknown, context: unknown) => unknown;
}

const registered = new Map<string, RegisteredFunction>();
const hooks = new Map<string, ((context: unknown) => unknown)[]>();
let installed = false;

export function installFunctionsCoreShim(): void {
  if (installed) return;
  installed = true;
  const disposable = { dispose: () => undefined };
  const coreApi = {
    version: '4.0.0-test',
    hostVersion: '4.0.0-test',
    setProgrammingModel: () => undefined,
    getProgrammingModel: () => undefined,
    registerHook(name: string, callback: (context: unknown) => unknown) {
      hooks.set(name, [...(hooks.get(name) ?? []), callback]);
      return disposable;
    },
    log: () => undefined,
    registerFunction(metadata: { name: string; bindings: Record<string, RegisteredBinding> }, handler: RegisteredFunction['handler']) {
      registered.set(metadata.name, { name: metadata.name, bindings: metadata.bindings, handler });
      return disposable;
    },
  };
  const prototype = Module.prototype as unknown as { require: (id: string) => unknown };
  prototype.require = new Proxy(prototype.require, {
    apply(target, thisArg, args: [string]) {
      return args[0] === '@azure/functions-core' ? coreApi : Reflect.apply(target, thisArg, args);
    },
  });
}

/** Every function registered so far, in registration order. */
export function registeredFunctions(): RegisteredFunction[] {
  return [...registered.values()];
}

export function registeredFunction(name: string): RegisteredFunction {
  const fn = registered.get(name);
  if (!fn) throw new Error(`No function "${name}" was registered (registered: ${[...registered.keys()].join(', ') || 'none'})`);
  return fn;
}

/** Runs the hooks registered under `name` (e.g. `appTerminate`) the way the worker does. */
export async function runHooks(name: string): Promise<number> {
  const callbacks = hooks.get(name) ?? [];
  for (const callback of callbacks) await callback({ hookData: {} });
  return callbacks.length;
}

export function triggerBinding(fn: RegisteredFunction): RegisteredBinding {
  const trigger = Object.values(fn.bindings).find((binding) => binding.direction === 'in' && binding.type.endsWith('Trigger'));
  if (!trigger) throw new Error(`Function "${fn.name}" has no trigger binding`);
  return trigger;
}
