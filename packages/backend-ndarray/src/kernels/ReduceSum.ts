import type { NdKernel } from '../deferred.js';
import { alloc } from '../handle.js';
import { normalizeAxes, planReduce, runReduce, type ReduceOps } from '../lib/reduce.js';

/** Summation as reduction row operations (also used by the fused reduce-then-multiply). */
export const sum: ReduceOps = {
  fold(acc, x, xi, n) {
    for (let j = 0; j < n; j++) acc += x[xi + j];
    return acc;
  },
  combine(out, oi, x, xi, n) {
    for (let j = 0; j < n; j++) out[oi + j] += x[xi + j];
  },
};

/**
 * Sum over `attrs.axes` (normalised by the builder); keepDims only changes the
 * output shape, not the layout, so both share one code path.
 *
 * @example
 * ```ts
 * import { ReduceSum } from './ReduceSum.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * ReduceSum([wrap(Float32Array.of(1, 2, 3, 4), [2, 2])], nodeOf('ReduceSum', [2], { axes: [0], keepDims: false }), []).data; // [4, 6]
 * ```
 */
export const ReduceSum: NdKernel = ([x], node) => {
  const out = alloc(node.dtype, node.shape);
  const acc = new Float64Array(out.data.length);
  runReduce(planReduce(x.shape, normalizeAxes(node.attrs.axes as number[], x.shape.length)), x.data, acc, sum);
  out.data.set(acc);
  return out;
};
