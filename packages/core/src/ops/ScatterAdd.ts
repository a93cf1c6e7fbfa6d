import type { NodeRef } from '../ir/builder.js';
import { fmtShape } from '../tensor.js';
import { gather } from './Gather.js';
import { checkIds, oneHotRows } from './indices.js';
import { matMul } from './MatMul.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { attrError, defineOp, shapeError } from './op.js';
import { reshape } from './Reshape.js';

const SCATTER_ADD_ATTRS = { rows: { type: 'int', doc: 'rows of the table the updates are added into (V)' } } as const satisfies AttrSchema;

/** ScatterAdd's attributes. */
export type ScatterAddAttrs = AttrsOf<typeof SCATTER_ADD_ATTRS>;

/**
 * The gradient of `Gather` w.r.t. its table: a zero `[rows, w]` tensor into
 * which each row of `updates [..., w]` is added at row `ids[...]`; repeated
 * ids accumulate. Ids follow Gather's rules (the reference refuses one that
 * is not an integer in [0, rows); a kernel drops its row, never writing out of
 * bounds). A composite: it decomposes into a one-hot `Equal` [N, rows] and a
 * `MatMul` with the first operand transposed ([rows, N]·[N, w]), never a
 * [N, rows, w] product; ONNX has ScatterND with reduction 'add'.
 */
export const ScatterAdd = defineOp({
  name: 'ScatterAdd',
  arity: 2,
  attrs: SCATTER_ADD_ATTRS,
  shapeRule: 'ids [...], updates [..., w] → [rows, w]',
  summary:
    'Gather’s table gradient: zeros [rows,w] plus each updates row [...,w] added at row ids[...] (repeats accumulate). Ids not in [0,rows) are refused by the reference and dropped by kernels. VJP: Gather of the cotangent. Composite: one-hot Equal [N,rows], then MatMul(onehotᵀ, updates).',
  checkAttrs: ({ rows }) => {
    if (!Number.isSafeInteger(rows) || rows < 0) attrError('ScatterAdd', `rows must be a non-negative integer, got ${JSON.stringify(rows)}`);
  },
  inferShape: ([ids, updates], { rows }) => {
    const lead = updates.shape.slice(0, -1);
    if (updates.shape.length !== ids.shape.length + 1 || lead.some((d, i) => d !== ids.shape[i])) {
      shapeError('ScatterAdd', `updates must be shaped [...ids, w] = ${fmtShape([...ids.shape, updates.shape.at(-1) ?? 1])}`, [ids, updates]);
    }
    return [rows, updates.shape[updates.shape.length - 1]];
  },
  evaluate: ([ids, updates], { rows }) => {
    checkIds('ScatterAdd: ids at', ids, { indexRange: rows });
    const width = updates.shape[updates.shape.length - 1];
    const out = new Float64Array(rows * width);
    ids.data.forEach((id, i) => {
      for (let j = 0; j < width; j++) out[id * width + j] += updates.data[i * width + j];
    });
    return out;
  },
  vjp: (g, [ids]) => [null, gather(g, ids)],
  decompose: ([ids, updates], { rows }) => {
    const width = updates.shape[updates.shape.length - 1];
    return matMul(oneHotRows(ids, rows), reshape(updates, [ids.shape.reduce((a, d) => a * d, 1), width]), true, false);
  },
});

/**
 * Adds each row of `updates` [..., w] into row `ids[...]` of a zero [rows, w]
 * tensor (the gradient of an embedding lookup).
 *
 * @example
 * ```ts
 * import { GraphBuilder, scatterAdd } from '@sas/core';
 * const b = new GraphBuilder();
 * const dTable = scatterAdd(b.input('ids', [2, 9], { indexRange: 13 }), b.input('g', [2, 9, 16]), 13); // [13, 16]
 * ```
 */
export function scatterAdd(ids: NodeRef, updates: NodeRef, rows: number): NodeRef {
  return ids.builder.apply('ScatterAdd', [ids, updates], { rows });
}
