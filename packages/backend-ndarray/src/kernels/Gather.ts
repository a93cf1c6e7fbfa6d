import type { NdKernel } from '../deferred.js';
import { alloc } from '../handle.js';
import { rowOf } from '../lib/ids.js';

/**
 * Embedding lookup: row `ids[i]` of the table `[V, w]` copied to output row
 * i. An id that is not an integer in [0, V) (only a computed one can be:
 * fed ids are checked before the run) gives a zero row, never a read out of
 * bounds.
 *
 * @example
 * ```ts
 * import { Gather } from './Gather.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const table = wrap(Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
 * Gather([table, wrap(Float32Array.of(2, 0), [2])], nodeOf('Gather', [2, 2], {}), { gemm: jsGemm }).data; // [5, 6, 1, 2]
 * ```
 */
export const Gather: NdKernel<'Gather'> = ([table, ids], node) => {
  const [rows, width] = table.shape;
  const out = alloc(node.dtype, node.shape);
  const src = table.data;
  const dst = out.data;
  const n = ids.data.length;
  for (let i = 0; i < n; i++) {
    const r = rowOf(ids.data[i], rows);
    if (r >= 0) dst.set(src.subarray(r * width, (r + 1) * width), i * width);
  }
  return out;
};
