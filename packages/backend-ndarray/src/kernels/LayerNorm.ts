import type { NdKernel } from '../deferred.js';
import { alloc } from '../handle.js';
import { rowStats } from '../lib/layer-norm.js';

/**
 * Layer norm over the last axis, `(x − mean)·rstd·weight + bias`, one row at
 * a time: statistics in double (`rowStats`), then one pass writing the
 * normalised, scaled and shifted row (instead of the decomposition's seven
 * whole-tensor passes).
 *
 * @example
 * ```ts
 * import { LayerNorm } from './LayerNorm.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const x = wrap(Float32Array.of(1, 3), [1, 2]);
 * const ones = wrap(Float32Array.of(1, 1), [2]);
 * const zeros = wrap(Float32Array.of(0, 0), [2]);
 * LayerNorm([x, ones, zeros], nodeOf('LayerNorm', [1, 2], { eps: 0 }), { gemm: jsGemm }).data; // [-1, 1]
 * ```
 */
export const LayerNorm: NdKernel<'LayerNorm'> = ([x, weight, bias], node) => {
  const w = weight.data.length;
  const out = alloc(node.dtype, node.shape);
  const xs = x.data;
  const ys = out.data;
  const ws = weight.data;
  const bs = bias.data;
  const stats = { mean: 0, rstd: 0 };
  for (let row = 0; w > 0 && row < xs.length; row += w) {
    const { mean, rstd } = rowStats(xs, row, w, node.attrs.eps, stats);
    for (let j = 0; j < w; j++) ys[row + j] = (xs[row + j] - mean) * rstd * ws[j] + bs[j];
  }
  return out;
};
