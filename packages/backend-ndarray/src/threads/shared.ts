/**
 * Shared memory for the worker threads: where operands live so that workers
 * read and write them in place, and the bookkeeping that keeps copies rare.
 *
 * While a parallel pool is alive, large float32 values are allocated on a
 * SharedArrayBuffer from the start (`handle.ts` asks `preferShared`), so the
 * threaded kernels find their operands already shared and copy nothing; only
 * data that came from outside (feeds) is copied, once per kernel call.
 */

/** Parallel pools alive in this process (constructed with size > 1, not disposed). */
let parallelPools = 0;

/** Floats copied into shared memory by `shared` since the process started, and the most in one copy. */
let copiedFloats = 0;
let largestCopy = 0;

/** Bytes of shared storage allocated since the last `collectGarbage`. */
let sharedSinceCollect = 0;

/**
 * Pools alive that asked for forced collections (`ThreadPool`'s
 * `collectGarbage` option, the backend's `collectGarbage`). Zero by default:
 * a library does not run the embedding program's collector unless told to.
 */
let collectingPools = 0;

/**
 * Records that a pool asking for forced collections started (+1) or ended
 * (−1): while one is alive, this thread collects after `SHARED_COLLECT_BYTES`
 * of shared storage.
 *
 * @example
 * ```ts
 * import { countCollectingPool, forcedCollections } from './shared.js';
 * countCollectingPool(1);
 * forcedCollections(); // true
 * countCollectingPool(-1);
 * ```
 */
export function countCollectingPool(delta: 1 | -1): void {
  collectingPools = Math.max(0, collectingPools + delta);
}

/**
 * True while some pool asked for forced collections (see `countCollectingPool`).
 *
 * @example
 * ```ts
 * import { forcedCollections } from './shared.js';
 * forcedCollections(); // false unless a pool opted in
 * ```
 */
export function forcedCollections(): boolean {
  return collectingPools > 0;
}

/** Counts `bytes` of new shared storage, collecting first when a pool opted in and the threshold is passed. */
function countShared(bytes: number): void {
  sharedSinceCollect += bytes;
  if (collectingPools > 0 && sharedSinceCollect > SHARED_COLLECT_BYTES) collectGarbage();
}

/**
 * Shared storage allocated between two collections of this thread's heap.
 * V8 (Node 20) does not count SharedArrayBuffer storage towards its
 * collection heuristics the way it counts ArrayBuffers, so dead shared
 * intermediates would otherwise pile up until some JS allocation triggers a
 * collection (a T = 4096 SAS forward on two threads reached 1.8× the
 * single-thread peak that way). A full collection costs 5–20 ms on the main
 * thread; at 64 MiB a SAS gradient graph at T = 512 (several hundred MiB of
 * intermediates) collected about eight times a run, and two threads were
 * slower than one on it. At 256 MiB: forward 315 → 209 ms, forward+backward
 * 1313 → 972 ms (T = 512, two threads, same process), and at most 192 MiB
 * more dead storage held at long T. Only while a pool opted in
 * (`countCollectingPool`): forced collection is never a library default.
 */
export const SHARED_COLLECT_BYTES = 256 << 20;

/**
 * `gc()` of this isolate, reached as test tools reach it (V8's expose-gc
 * flag, then a fresh context), or a no-op where that is unavailable (browsers).
 */
let gcFunction: (() => void) | undefined;

/**
 * Runs a full garbage collection of the calling thread's heap where Node
 * allows it (else does nothing): dead SharedArrayBuffers are freed only by
 * the collectors of every thread that saw them.
 *
 * @example
 * ```ts
 * import { collectGarbage } from './shared.js';
 * collectGarbage(); // dead shared storage of this thread is released
 * ```
 */
export function collectGarbage(): void {
  if (gcFunction === undefined) {
    gcFunction = () => {};
    try {
      const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
      const v8 = proc?.getBuiltinModule?.('node:v8') as typeof import('node:v8') | undefined;
      const vm = proc?.getBuiltinModule?.('node:vm') as typeof import('node:vm') | undefined;
      if (v8 && vm) {
        v8.setFlagsFromString('--expose-gc');
        const gc = vm.runInNewContext('gc') as unknown;
        if (typeof gc === 'function') gcFunction = gc as () => void;
      }
    } catch {
      // No collector to call: memory is only released later.
    }
  }
  sharedSinceCollect = 0;
  collections++;
  gcFunction();
}

/** Calls of `collectGarbage` on this thread since the process started. */
let collections = 0;

/**
 * How many forced collections this thread has run (tests check that none
 * runs unless a pool opted in).
 *
 * @example
 * ```ts
 * import { collectionCount } from './shared.js';
 * collectionCount() >= 0; // true
 * ```
 */
export function collectionCount(): number {
  return collections;
}

/**
 * Float32 values with at least this many elements are allocated shared while a
 * parallel pool is alive: below it, no threaded kernel takes them (a product
 * needs 2^23 multiply-adds, an attention 2^18 scores) and a SharedArrayBuffer
 * costs more to create than an ArrayBuffer.
 */
export const SHARED_MIN_FLOATS = 1 << 14;

/**
 * Records that a parallel pool started (+1) or ended (−1); see `preferShared`.
 *
 * @example
 * ```ts
 * import { countParallelPool, preferShared } from './shared.js';
 * countParallelPool(1);
 * preferShared(1 << 20); // true
 * countParallelPool(-1);
 * ```
 */
export function countParallelPool(delta: 1 | -1): void {
  parallelPools = Math.max(0, parallelPools + delta);
}

/**
 * True when a float32 value of `n` elements should be allocated shared: some
 * parallel pool is alive and the value is big enough for a threaded kernel.
 * Single-thread backends alone never get shared storage (results are the same
 * bits either way; only where they live differs).
 *
 * @example
 * ```ts
 * import { preferShared } from './shared.js';
 * preferShared(16); // false: too small for any threaded kernel
 * ```
 */
export function preferShared(n: number): boolean {
  return parallelPools > 0 && n >= SHARED_MIN_FLOATS && typeof SharedArrayBuffer === 'function';
}

/**
 * Floats `shared` has copied so far in this process, and the most in one
 * copy since the last `reset` (tests check that already-shared operands are
 * not copied again).
 *
 * @example
 * ```ts
 * import { sharedCopyStats } from './shared.js';
 * sharedCopyStats(true).floats >= 0; // true
 * ```
 */
export function sharedCopyStats(reset = false): { floats: number; largest: number } {
  const stats = { floats: copiedFloats, largest: largestCopy };
  if (reset) largestCopy = 0;
  return stats;
}

/**
 * True when `data`'s storage is a SharedArrayBuffer (workers can use it in place).
 *
 * @example
 * ```ts
 * import { isShared, sharedFloat32 } from './shared.js';
 * isShared(sharedFloat32(2)); // true
 * ```
 */
export function isShared(data: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer === 'function' && data.buffer instanceof SharedArrayBuffer;
}

/**
 * `data` itself when its storage is a SharedArrayBuffer, else a shared copy
 * (workers read operands in place, so they must live in shared memory).
 *
 * @example
 * ```ts
 * import { shared } from './shared.js';
 * shared(Float32Array.of(1, 2)).buffer instanceof SharedArrayBuffer; // true
 * ```
 */
export function shared<T extends Float32Array | Float64Array | Int32Array>(data: T): T {
  if (isShared(data)) return data;
  const Ctor = data.constructor as new (b: SharedArrayBuffer) => T;
  countShared(data.byteLength);
  const out = new Ctor(new SharedArrayBuffer(data.byteLength));
  out.set(data as never);
  copiedFloats += data.length;
  largestCopy = Math.max(largestCopy, data.length);
  return out;
}

/**
 * A zero-filled Float32Array of `n` floats on a SharedArrayBuffer.
 *
 * @example
 * ```ts
 * import { sharedFloat32 } from './shared.js';
 * sharedFloat32(4).length; // 4
 * ```
 */
export function sharedFloat32(n: number): Float32Array {
  countShared(n * 4);
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

/**
 * A function that puts views (anything with a `data` array) on shared
 * storage for the workers: an array already shared stays as it is, and
 * each other array is copied once however many views read it (q, k and v
 * may all be views of one array in self-attention).
 *
 * @example
 * ```ts
 * import { shareViews } from './shared.js';
 * const share = shareViews();
 * const data = new Float32Array(4);
 * share({ data }).data === share({ data }).data; // true: one copy
 * ```
 */
export function shareViews(): <V extends { readonly data: Float32Array | Float64Array }>(view: V) => V {
  const copies = new Map<Float32Array | Float64Array, Float32Array | Float64Array>();
  return (view) => {
    let data = copies.get(view.data);
    if (!data) copies.set(view.data, (data = shared(view.data)));
    return data === view.data ? view : { ...view, data };
  };
}
