import type { OpName } from '@sas/core';
import type { NdKernel } from '../deferred.js';
import { alloc, type FloatData } from '../handle.js';
import { planBinary, runBinary, type RowFn } from './broadcast.js';

/**
 * A broadcasting binary kernel from its row function (which holds the element
 * loops for each stride case, so no closure is called per element).
 *
 * @example
 * ```ts
 * import { binaryKernel } from './elementwise.js';
 * const Max = binaryKernel((o, a, b, oi, ai, bi, n, sa, sb) => {
 *   for (let j = 0; j < n; j++) o[oi + j] = Math.max(a[ai + j * sa], b[bi + j * sb]);
 * });
 * ```
 */
export function binaryKernel<N extends OpName>(row: RowFn): NdKernel<N> {
  return ([a, b], node) => {
    const out = alloc(node.dtype, node.shape);
    runBinary(planBinary(a.shape, b.shape, node.shape), out.data, a.data, b.data, row);
    return out;
  };
}

/**
 * An elementwise unary kernel from a loop over the whole (contiguous) array.
 *
 * @example
 * ```ts
 * import { unaryKernel } from './elementwise.js';
 * const Square = unaryKernel((x, y, n) => { for (let i = 0; i < n; i++) y[i] = x[i] * x[i]; });
 * ```
 */
export function unaryKernel<N extends OpName>(loop: (x: FloatData, y: FloatData, n: number) => void): NdKernel<N> {
  return ([x], node) => {
    const out = alloc(node.dtype, node.shape);
    loop(x.data, out.data, out.data.length);
    return out;
  };
}
