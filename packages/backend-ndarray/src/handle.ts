import ndarray from 'ndarray';
import { sizeOf, type DType } from '@sas/core';
import { activePool } from './storage-pool.js';
import { preferShared, SHARED_MIN_FLOATS, sharedFloat32 } from './threads/shared.js';

/** Storage of a handle: float32 graphs use Float32Array, float64 graphs Float64Array. */
export type FloatData = Float32Array | Float64Array;

/**
 * A backend value: an `ndarray` view. Invariant kept by every kernel here:
 * the view is contiguous and row-major with offset 0, and `data.length` equals
 * its size, so kernels may read `h.data` directly as the flat row-major values.
 * Views may share storage (Reshape does), which is safe because no kernel ever
 * writes into an input.
 */
export type NdHandle = ndarray.NdArray<FloatData>;

/**
 * Wraps row-major `data` as a handle of `shape` (no copy).
 *
 * @example
 * ```ts
 * import { wrap } from './handle.js';
 * wrap(new Float32Array(6), [2, 3]).shape; // [2, 3]
 * ```
 */
export function wrap(data: FloatData, shape: readonly number[]): NdHandle {
  return ndarray(data, shape.slice());
}

/**
 * Allocates storage for `n` elements of `dtype` (zero-filled, except a
 * recycled array when the caller `overwrites` every element): recycled
 * from an earlier run when a run is recording (`StoragePool`), else fresh.
 * While a parallel thread pool is alive, large float32 storage is a SharedArrayBuffer
 * (`preferShared`), so worker threads use the value in place instead of a
 * copy: with two threads a T = 16384 SAS forward otherwise holds shared
 * copies of q, k and every large product operand next to the originals.
 *
 * @example
 * ```ts
 * import { allocData } from './handle.js';
 * allocData('float32', 4); // Float32Array(4)
 * ```
 */
export function allocData(dtype: DType, n: number, forThreads = false, overwrites = false): FloatData {
  // `forThreads`: scratch a threaded product reads whatever its size (a packed weight), so shared below the threshold too.
  const shared = dtype === 'float32' && preferShared(forThreads ? Math.max(n, SHARED_MIN_FLOATS) : n);
  const make = () => (dtype === 'float64' ? new Float64Array(n) : shared ? sharedFloat32(n) : new Float32Array(n));
  const pool = activePool();
  return pool ? pool.take(`${dtype}:${shared ? 'shared' : 'local'}`, n, make, overwrites) : make();
}

/**
 * A zero-filled handle of `shape` and `dtype` (with `overwrites`, its
 * values are unspecified: for kernels that write every element).
 *
 * @example
 * ```ts
 * import { alloc } from './handle.js';
 * alloc('float64', [2, 2]).data; // Float64Array(4)
 * ```
 */
export function alloc(dtype: DType, shape: readonly number[], overwrites = false): NdHandle {
  return wrap(allocData(dtype, sizeOf(shape), false, overwrites), shape);
}

/**
 * The storage dtype of `data`.
 *
 * @example
 * ```ts
 * import { dtypeOf } from './handle.js';
 * dtypeOf(new Float64Array(1)); // 'float64'
 * ```
 */
export function dtypeOf(data: FloatData): DType {
  return data instanceof Float32Array ? 'float32' : 'float64';
}
