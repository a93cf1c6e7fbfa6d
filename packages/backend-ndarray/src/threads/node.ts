/**
 * Node's `worker_threads` and `os`, reached without a static import so the
 * package still loads in browsers (where `process` is absent and everything
 * runs on one thread). `process.getBuiltinModule` exists from Node 20.16.
 */
type WorkerThreads = typeof import('node:worker_threads');
type Os = typeof import('node:os');

function builtin<T>(name: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.(name) as T | undefined;
  } catch {
    return undefined;
  }
}

/**
 * `node:worker_threads`, or undefined where it is unavailable (browsers, old Node).
 *
 * @example
 * ```ts
 * import { workerThreads } from './node.js';
 * workerThreads()?.isMainThread; // true in Node's main thread
 * ```
 */
export function workerThreads(): WorkerThreads | undefined {
  return builtin<WorkerThreads>('node:worker_threads');
}

/**
 * Cores this process may use: `os.availableParallelism()` in Node,
 * `navigator.hardwareConcurrency` elsewhere, else 1.
 *
 * @example
 * ```ts
 * import { availableCores } from './node.js';
 * availableCores() >= 1; // true
 * ```
 */
export function availableCores(): number {
  const os = builtin<Os>('node:os');
  if (os) return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}
