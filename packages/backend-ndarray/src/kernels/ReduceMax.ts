import type { NdKernel } from '../deferred.js';
import { alloc } from '../handle.js';
import { planReduce, runReduce, type ReduceOps } from '../lib/reduce.js';

// `v > acc || v !== v`: a NaN anywhere wins and then sticks, as in the reference.
const max: ReduceOps = {
  fold(acc, x, xi, n) {
    for (let j = 0; j < n; j++) {
      const v = x[xi + j];
      if (v > acc || v !== v) acc = v;
    }
    return acc;
  },
  combine(out, oi, x, xi, n) {
    for (let j = 0; j < n; j++) {
      const v = x[xi + j];
      if (v > out[oi + j] || v !== v) out[oi + j] = v;
    }
  },
};

/**
 * Maximum over `attrs.axes`; NaN propagates; an empty reduction gives −Inf.
 *
 * @example
 * ```ts
 * import { ReduceMax } from './ReduceMax.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * ReduceMax([wrap(Float32Array.of(1, 5, 3, 4), [2, 2])], nodeOf('ReduceMax', [2, 1], { axes: [1], keepDims: true }), { gemm: jsGemm }).data; // [5, 4]
 * ```
 */
export const ReduceMax: NdKernel<'ReduceMax'> = ([x], node) => {
  const out = alloc(node.dtype, node.shape);
  const acc = new Float64Array(out.data.length).fill(-Infinity);
  runReduce(planReduce(x.shape, node.attrs.axes), x.data, acc, max);
  out.data.set(acc);
  return out;
};
