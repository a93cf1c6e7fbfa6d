import type { NdKernel } from '../deferred.js';
import { alloc } from '../handle.js';
import { planBinary, runBinary } from '../lib/broadcast.js';

/**
 * Repeats x to `attrs.shape`: the broadcast planner splits the output into
 * rows that are either a bulk copy of an input row or a fill with one value.
 *
 * @example
 * ```ts
 * import { BroadcastTo } from './BroadcastTo.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * BroadcastTo([wrap(Float32Array.of(1, 2), [2, 1])], nodeOf('BroadcastTo', [2, 3], { shape: [2, 3] }), { gemm: jsGemm }).data; // [1, 1, 1, 2, 2, 2]
 * ```
 */
export const BroadcastTo: NdKernel<'BroadcastTo'> = ([x], node) => {
  const out = alloc(node.dtype, node.shape);
  runBinary(planBinary(x.shape, [], node.shape), out.data, x.data, x.data, (o, a, _b, oi, ai, _bi, n, sa) => {
    if (sa === 1) o.set(a.subarray(ai, ai + n), oi);
    else o.fill(a[ai], oi, oi + n);
  });
  return out;
};
