import { SasError } from './errors.js';

/** Element types of graph values. Every op works in either. */
export type DType = 'float32' | 'float64';

/** Typed array that stores a tensor of `dtype`. */
export type TypedArrayFor<D extends DType> = D extends 'float32' ? Float32Array : Float64Array;

/**
 * A dense row-major tensor on the host: the exchange format between the core,
 * backends, safetensors files and users.
 *
 * @example
 * ```ts
 * import { tensor } from '@sas/core';
 * const t = tensor([1, 2, 3, 4], [2, 2]);   // float64 by default
 * t.data[3]; // 4
 * ```
 */
export interface Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Allocates the typed array for `n` elements of `dtype`. */
export function allocate(dtype: DType, n: number): Float32Array | Float64Array {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/**
 * Builds a tensor from numbers or a typed array, checking that the length
 * matches the shape.
 *
 * @example
 * ```ts
 * import { tensor } from '@sas/core';
 * tensor(new Float32Array(6), [2, 3], 'float32').shape; // [2, 3]
 * ```
 */
export function tensor(values: ArrayLike<number>, shape: readonly number[], dtype: DType = 'float64'): Tensor {
  validateShape(shape, 'shape');
  const n = sizeOf(shape);
  if (values.length !== n) {
    throw new SasError('E_SHAPE', `tensor: ${values.length} values do not fill shape [${shape.join(',')}] (${n} elements)`);
  }
  const data = allocate(dtype, n);
  data.set(values);
  return { dtype, shape: [...shape], data };
}

/** Copies a tensor into `dtype` (a copy even when the dtype already matches). */
export function castTensor(t: Tensor, dtype: DType): Tensor {
  const data = allocate(dtype, t.data.length);
  data.set(t.data);
  return { dtype, shape: [...t.shape], data };
}

/** Throws unless every dimension is a non-negative integer. */
export function validateShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape)) throw new SasError('E_SHAPE', `${what}: expected an array of dimensions, got ${typeof shape}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new SasError('E_SHAPE', `${what}: dimensions must be non-negative integers, got [${shape.join(',')}]`);
    }
  }
}

/** `[2,3]` → `"[2,3]"`, for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
