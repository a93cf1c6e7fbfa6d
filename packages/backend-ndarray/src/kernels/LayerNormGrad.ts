import type { NdKernel } from '../deferred.js';
import { alloc } from '../handle.js';
import { rowStats } from '../lib/layer-norm.js';

/**
 * LayerNorm's input gradients, one row at a time from x (x̂ recomputed, never
 * stored): `wrt: 'weight'` sums g ⊙ x̂ over the rows in double; `wrt: 'x'`
 * gives `rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂))` with ĝ = g ⊙ weight.
 *
 * @example
 * ```ts
 * import { LayerNormGrad } from './LayerNormGrad.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const x = wrap(Float32Array.of(1, 3), [1, 2]);
 * const weight = wrap(Float32Array.of(1, 1), [2]);
 * const g = wrap(Float32Array.of(1, 0), [1, 2]);
 * LayerNormGrad([x, weight, g], nodeOf('LayerNormGrad', [2], { eps: 0, wrt: 'weight' }), { gemm: jsGemm }).data; // [-1, 0]
 * ```
 */
export const LayerNormGrad: NdKernel<'LayerNormGrad'> = ([x, weight, g], node) => {
  const { eps, wrt } = node.attrs;
  const w = weight.data.length;
  const xs = x.data;
  const gs = g.data;
  const ws = weight.data;
  const stats = { mean: 0, rstd: 0 };
  const out = alloc(node.dtype, node.shape);
  if (wrt === 'weight') {
    const acc = new Float64Array(w);
    for (let row = 0; w > 0 && row < xs.length; row += w) {
      const { mean, rstd } = rowStats(xs, row, w, eps, stats);
      for (let j = 0; j < w; j++) acc[j] += gs[row + j] * ((xs[row + j] - mean) * rstd);
    }
    out.data.set(acc);
    return out;
  }
  const dx = out.data;
  for (let row = 0; w > 0 && row < xs.length; row += w) {
    const { mean, rstd } = rowStats(xs, row, w, eps, stats);
    let sumG = 0;
    let sumGX = 0;
    for (let j = 0; j < w; j++) {
      const gh = gs[row + j] * ws[j];
      sumG += gh;
      sumGX += gh * ((xs[row + j] - mean) * rstd);
    }
    const meanG = sumG / w;
    const meanGX = sumGX / w;
    for (let j = 0; j < w; j++) dx[row + j] = rstd * (gs[row + j] * ws[j] - meanG - (xs[row + j] - mean) * rstd * meanGX);
  }
  return out;
};
