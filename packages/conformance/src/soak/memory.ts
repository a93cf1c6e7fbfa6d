import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Process memory at one moment, in bytes (Node's `process.memoryUsage()`). */
export interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
  /** C++ objects bound to JS, typed-array storage included. */
  readonly external: number;
  readonly arrayBuffers: number;
}

let gc: (() => void) | null | undefined;

/**
 * A function that runs a full garbage collection, or null when the runtime
 * will not give one. Node hides `gc` unless started with `--expose-gc`; the
 * flag can still be set at run time and `gc` read from a fresh context.
 *
 * @example
 * ```ts
 * import { fullGc } from '@sas/conformance';
 * fullGc()?.(); // heap now holds only live objects
 * ```
 */
export function fullGc(): (() => void) | null {
  if (gc !== undefined) return gc;
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return (gc = existing);
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    gc = null;
  }
  return gc;
}

/**
 * Collects garbage (when possible) and reads the process's memory, so
 * successive samples differ by what is really still held.
 *
 * @example
 * ```ts
 * import { sampleMemory } from '@sas/conformance';
 * sampleMemory().rss > 0; // true
 * ```
 */
export function sampleMemory(): MemorySample {
  fullGc()?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}
