import type { NdKernel } from '../deferred.js';
import { alloc } from '../handle.js';

/**
 * Causal mask on the last two axes [Tq, Tk], bottom-right aligned: a copy of x
 * with `fill` (−Inf or 0) wherever j > i + (Tk − Tq). Each row is one bulk
 * copy of its kept prefix and one `fill` of the rest.
 *
 * @example
 * ```ts
 * import { CausalMask } from './CausalMask.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * CausalMask([wrap(Float32Array.of(1, 2, 3, 4), [2, 2])], nodeOf('CausalMask', [2, 2], { fill: 'zero' }), { gemm: jsGemm }).data; // [1, 0, 3, 4]
 * ```
 */
export const CausalMask: NdKernel<'CausalMask'> = ([x], node) => {
  const out = alloc(node.dtype, node.shape);
  const rank = node.shape.length;
  const tq = node.shape[rank - 2];
  const tk = node.shape[rank - 1];
  const value = node.attrs.fill === 'zero' ? 0 : -Infinity;
  const src = x.data;
  const dst = out.data;
  const total = dst.length;
  if (tq === 0 || tk === 0) return out;
  for (let base = 0; base < total; base += tq * tk) {
    for (let i = 0; i < tq; i++) {
      const row = base + i * tk;
      const keep = Math.max(0, Math.min(tk, i + (tk - tq) + 1));
      dst.set(src.subarray(row, row + keep), row);
      if (keep < tk) dst.fill(value, row + keep, row + tk);
    }
  }
  return out;
};
