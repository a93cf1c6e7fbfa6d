import type { NodeRef } from '../ir/builder.js';
import { fmtShape } from '../tensor.js';
import { checkIds, oneHotRows } from './indices.js';
import { matMul } from './MatMul.js';
import { defineOp, shapeError } from './op.js';
import { reshape } from './Reshape.js';
import { scatterAdd } from './ScatterAdd.js';

/**
 * Embedding lookup: rows of a table `[V, w]` picked by integer ids
 * `[...]` → `[..., w]`. Ids are float values of the graph's dtype holding
 * integers (graphs are single-dtype). The reference refuses an id that is
 * not an integer in [0, V); a kernel must never read out of bounds and gives
 * a zero row for such an id (ids fed by users are checked before any run
 * through the Input's index domain). The gradient w.r.t. the table is a
 * `ScatterAdd` of the cotangent's rows; ids get none. A composite: it
 * decomposes into a one-hot `Equal` [N, V] and a `MatMul` with the table,
 * which ONNX (Gather) and fast backends replace with a direct row copy.
 */
export const Gather = defineOp({
  name: 'Gather',
  arity: 2,
  shapeRule: 'table [V,w], ids [...] → [..., w]; ids integers in [0, V)',
  summary:
    'Embedding lookup: table [V,w] rows picked by integer ids [...] → [...,w]. Ids not in [0,V) are refused by the reference and give a zero row in kernels. VJP: ScatterAdd into the table. Composite: one-hot Equal [N,V] · table.',
  inferShape: ([table, ids]) => {
    if (table.shape.length !== 2) shapeError('Gather', `the table must have rank 2 ([V, w]), got ${fmtShape(table.shape)}`, [table, ids]);
    return [...ids.shape, table.shape[1]];
  },
  evaluate: ([table, ids]) => {
    const [rows, width] = table.shape;
    checkIds('Gather: ids at', ids, { indexRange: rows });
    const out = new Float64Array(ids.data.length * width);
    ids.data.forEach((id, i) => out.set(table.data.subarray(id * width, (id + 1) * width), i * width));
    return out;
  },
  vjp: (g, [table, ids]) => [scatterAdd(ids, g, table.shape[0]), null],
  decompose: ([table, ids]) => reshape(matMul(oneHotRows(ids, table.shape[0]), table), [...ids.shape, table.shape[1]]),
});

/**
 * Rows of `table` [V, w] at integer `ids` [...] → [..., w] (an embedding lookup).
 *
 * @example
 * ```ts
 * import { GraphBuilder, gather } from '@sas/core';
 * const b = new GraphBuilder();
 * const x = gather(b.param('tok.weight', [13, 16]), b.input('ids', [2, 9], { indexRange: 13 })); // [2, 9, 16]
 * ```
 */
export function gather(table: NodeRef, ids: NodeRef): NodeRef {
  return table.builder.apply('Gather', [table, ids]);
}
