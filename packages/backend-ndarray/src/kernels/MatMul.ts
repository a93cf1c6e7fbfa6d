import type { NdKernel } from '../deferred.js';
import { alloc } from '../handle.js';
import { batchedMatMul } from '../lib/matmul.js';

/**
 * Batched matrix product over the last two axes with `transposeA` /
 * `transposeB` and broadcast batch axes; see `batchedMatMul` for the packing
 * and `gemmABt` for the register-tiled inner loops.
 *
 * @example
 * ```ts
 * import { MatMul } from './MatMul.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const a = wrap(Float32Array.of(1, 2, 3, 4), [2, 2]);
 * MatMul([a, a], nodeOf('MatMul', [2, 2], { transposeA: false, transposeB: true }), { gemm: jsGemm }).data; // [5, 11, 11, 25]
 * ```
 */
export const MatMul: NdKernel<'MatMul'> = ([a, b], node, ctx) => {
  const out = alloc(node.dtype, node.shape);
  batchedMatMul(a, b, node.attrs.transposeA, node.attrs.transposeB, out.data, node.shape, ctx.gemm);
  return out;
};
