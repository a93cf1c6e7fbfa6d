import type { FloatData } from '../handle.js';

/**
 * How a reduction walks its input: the input is `runs` contiguous rows of
 * length `n`. When `innerReduced` the whole row folds into one output value;
 * otherwise the row maps elementwise onto `n` consecutive outputs. `outer`
 * lists the remaining (merged) axes with the output stride along each (0 on
 * reduced axes). Size-1 axes are dropped and neighbouring axes of the same
 * kind merged, so reducing [B,T,G,W] over axis 2 is B·T blocks of G rows of W.
 */
export interface ReducePlan {
  readonly n: number;
  readonly innerReduced: boolean;
  readonly outer: readonly number[];
  readonly outerOut: readonly number[];
}

/**
 * Plans a reduction of `shape` over the (normalised) `axes`.
 *
 * @example
 * ```ts
 * import { planReduce } from './reduce.js';
 * planReduce([4, 3, 8], [1]); // { n: 8, innerReduced: false, outer: [4, 3], outerOut: [8, 0] }
 * ```
 */
export function planReduce(shape: readonly number[], axes: readonly number[]): ReducePlan {
  const dims: number[] = [];
  const reduced: boolean[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const r = axes.includes(i);
    if (dims.length > 0 && reduced[dims.length - 1] === r) dims[dims.length - 1] *= shape[i];
    else {
      dims.push(shape[i]);
      reduced.push(r);
    }
  }
  if (dims.length === 0) return { n: 1, innerReduced: false, outer: [], outerOut: [] };
  const last = dims.length - 1;
  // Output strides: the product of the kept sizes to the right (the inner run included).
  const outerOut = new Array<number>(last);
  let acc = reduced[last] ? 1 : dims[last];
  for (let i = last - 1; i >= 0; i--) {
    outerOut[i] = reduced[i] ? 0 : acc;
    if (!reduced[i]) acc *= dims[i];
  }
  return { n: dims[last], innerReduced: reduced[last], outer: dims.slice(0, last), outerOut };
}

/** The two row operations of a reduction: fold a row to one value, or combine a row into outputs. */
export interface ReduceOps {
  /** Folds `x[xi .. xi+n)` into `acc` and returns the result. */
  fold(acc: number, x: FloatData, xi: number, n: number): number;
  /** `out[oi + j] = combine(out[oi + j], x[xi + j])` for j < n. */
  combine(out: Float64Array, oi: number, x: FloatData, xi: number, n: number): void;
  /**
   * `combine` over `rows` consecutive rows of x (from `xi`, each n long)
   * into the same outputs, when the op has a faster way than one row at a
   * time (a bias gradient sums thousands of rows into one).
   */
  combineRows?(out: Float64Array, oi: number, x: FloatData, xi: number, n: number, rows: number): void;
}

/**
 * Reduces `x` per `plan` into `out` (pre-filled with the identity). The
 * accumulator is float64 whatever the storage, so a float32 sum over many
 * rows rounds once.
 *
 * @example
 * ```ts
 * import { planReduce, runReduce } from './reduce.js';
 * const out = new Float64Array(2);
 * runReduce(planReduce([2, 3], [1]), Float32Array.of(1, 2, 3, 4, 5, 6), out, {
 *   fold: (acc, x, i, n) => { for (let j = 0; j < n; j++) acc += x[i + j]; return acc; },
 *   combine: (o, oi, x, xi, n) => { for (let j = 0; j < n; j++) o[oi + j] += x[xi + j]; },
 * }); // out = [6, 15]
 * ```
 */
export function runReduce(plan: ReducePlan, x: FloatData, out: Float64Array, ops: ReduceOps): void {
  const { n, innerReduced, outer, outerOut } = plan;
  const rank = outer.length;
  let runs = 1;
  for (const d of outer) runs *= d;
  if (n === 0 || runs === 0) return;
  if (!innerReduced && rank > 0 && outerOut[rank - 1] === 0 && ops.combineRows) {
    // The rows of the innermost outer axis all land on the same outputs: one call per block of them.
    const rows = outer[rank - 1];
    runReduce({ n: n * rows, innerReduced: false, outer: outer.slice(0, -1), outerOut: outerOut.slice(0, -1) }, x, out, {
      fold: ops.fold,
      combine: (o, oi, xs, xi) => ops.combineRows!(o, oi, xs, xi, n, rows),
    });
    return;
  }
  const counter = new Array<number>(rank).fill(0);
  let oi = 0;
  for (let r = 0; r < runs; r++) {
    if (innerReduced) out[oi] = ops.fold(out[oi], x, r * n, n);
    else ops.combine(out, oi, x, r * n, n);
    for (let axis = rank - 1; axis >= 0; axis--) {
      oi += outerOut[axis];
      if (++counter[axis] < outer[axis]) break;
      oi -= outerOut[axis] * outer[axis];
      counter[axis] = 0;
    }
  }
}
