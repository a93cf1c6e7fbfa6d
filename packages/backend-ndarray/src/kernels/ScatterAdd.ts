import type { NdKernel } from '../deferred.js';
import { alloc } from '../handle.js';
import { rowOf } from '../lib/ids.js';

/**
 * Gather's table gradient: each row of `updates [..., w]` added into row
 * `ids[...]` of a zero `[rows, w]` table, summed in double and rounded once
 * (repeated ids accumulate as the reference does). A computed id that is not
 * an integer in [0, rows) drops its row, never writing out of bounds.
 *
 * @example
 * ```ts
 * import { ScatterAdd } from './ScatterAdd.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const ids = wrap(Float32Array.of(1, 1, 0), [3]);
 * const updates = wrap(Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
 * ScatterAdd([ids, updates], nodeOf('ScatterAdd', [2, 2], { rows: 2 }), { gemm: jsGemm }).data; // [5, 6, 4, 6]
 * ```
 */
export const ScatterAdd: NdKernel<'ScatterAdd'> = ([ids, updates], node) => {
  const { rows } = node.attrs;
  const width = node.shape[1];
  const acc = new Float64Array(rows * width);
  const u = updates.data;
  const n = ids.data.length;
  for (let i = 0; i < n; i++) {
    const r = rowOf(ids.data[i], rows);
    if (r < 0) continue;
    const o = r * width;
    const s = i * width;
    for (let j = 0; j < width; j++) acc[o + j] += u[s + j];
  }
  const out = alloc(node.dtype, node.shape);
  out.data.set(acc);
  return out;
};
