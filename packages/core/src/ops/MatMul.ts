import type { NodeRef } from '../ir/builder.js';
import type { TensorType } from '../ir/types.js';
import { sizeOf } from '../tensor.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { forEachBroadcast } from './elementwise.js';
import { attrError, broadcastShapes, defineOp, shapeError } from './op.js';
import { broadcastTo } from './BroadcastTo.js';
import { reduceSum } from './ReduceSum.js';
import { reshape } from './Reshape.js';
import { unbroadcast } from './unbroadcast.js';

const MATMUL_ATTRS = {
  transposeA: { type: 'boolean', doc: 'use aᵀ (the last two axes of a swapped)' },
  transposeB: { type: 'boolean', doc: 'use bᵀ (the last two axes of b swapped)' },
} as const satisfies AttrSchema;

/** MatMul's attributes. */
export type MatMulAttrs = AttrsOf<typeof MATMUL_ATTRS>;

interface MatMulDims {
  batch: number[];
  m: number;
  k: number;
  n: number;
}

/** Reads M, K, N and the broadcast batch shape, or throws a shape error. */
export function matMulDims(a: TensorType, b: TensorType, { transposeA, transposeB }: MatMulAttrs): MatMulDims {
  if (a.shape.length < 2 || b.shape.length < 2) shapeError('MatMul', 'both operands need rank ≥ 2', [a, b]);
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, ka] = transposeA ? [ac, ar] : [ar, ac];
  const [kb, n] = transposeB ? [bc, br] : [br, bc];
  if (ka !== kb) shapeError('MatMul', `inner dimensions differ: ${ka} vs ${kb} (transposeA=${transposeA}, transposeB=${transposeB})`, [a, b]);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  for (let i = 1; i <= rank; i++) {
    const da = aBatch[aBatch.length - i] ?? 1;
    const db = bBatch[bBatch.length - i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) shapeError('MatMul', `batch axes do not broadcast: ${da} vs ${db}`, [a, b]);
  }
  const batch = broadcastShapes('MatMul', { shape: aBatch, dtype: a.dtype }, { shape: bBatch, dtype: b.dtype });
  return { batch, m, k: ka, n };
}

/** Batched matrix product with numpy broadcasting of the batch axes. */
export const MatMul = defineOp({
  name: 'MatMul',
  arity: 2,
  attrs: MATMUL_ATTRS,
  shapeRule: 'op(a) [...A, M, K], op(b) [...B, K, N] → [...broadcast(A, B), M, N]',
  summary:
    'Batched matrix product a·b over the last two axes, either operand optionally transposed; leading (batch) axes broadcast. [...,M,K]·[...,K,N] → [...,M,N].',
  checkAttrs: ({ transposeA, transposeB }) => {
    if (typeof transposeA !== 'boolean' || typeof transposeB !== 'boolean') attrError('MatMul', 'transposeA and transposeB must be booleans');
  },
  inferShape: ([a, b], attrs) => {
    const { batch, m, n } = matMulDims(a, b, attrs);
    return [...batch, m, n];
  },
  evaluate: ([a, b], attrs, outShape) => {
    const { batch, m, k, n } = matMulDims({ shape: a.shape, dtype: 'float64' }, { shape: b.shape, dtype: 'float64' }, attrs);
    const out = new Float64Array(sizeOf(outShape));
    // Element (i, p) of a lives at aRow*i + aCol*p, and likewise for b.
    const [aRow, aCol] = attrs.transposeA ? [1, m] : [k, 1];
    const [bRow, bCol] = attrs.transposeB ? [1, k] : [n, 1];
    forEachBroadcast(batch, [a.shape.slice(0, -2), b.shape.slice(0, -2)], (bi, [ai, bj]) => {
      const aBase = ai * m * k;
      const bBase = bj * k * n;
      const oBase = bi * m * n;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a.data[aBase + i * aRow + p * aCol] * b.data[bBase + p * bRow + j * bCol];
          out[oBase + i * n + j] = s;
        }
      }
    });
    return out;
  },
  vjp: (g, [a, b], _y, { transposeA, transposeB }) => {
    if (!transposeA && b.rank === 2 && a.rank > 2) {
      const folded = foldBroadcastCotangent(g, a, b, transposeB);
      if (folded) return folded;
      // A batch against one shared weight (feature maps, PEAA): fold the batch into
      // the contraction, db = A_flatᵀ·G_flat, instead of one weight-sized product
      // per batch element summed afterwards ([B,T,768,768] at the paper shape).
      const rows = a.shape.slice(0, -1).reduce((x, y) => x * y, 1);
      const aFlat = reshape(a, [rows, a.shape[a.rank - 1]]);
      const gFlat = reshape(g, [rows, g.shape[g.rank - 1]]);
      const db = transposeB ? matMul(gFlat, aFlat, true, false) : matMul(aFlat, gFlat, true, false);
      return [matMul(g, b, false, !transposeB), db];
    }
    let da: NodeRef;
    let db: NodeRef;
    if (!transposeA && !transposeB) {
      da = matMul(g, b, false, true);
      db = matMul(a, g, true, false);
    } else if (!transposeA && transposeB) {
      da = matMul(g, b, false, false);
      db = matMul(g, a, true, false);
    } else if (transposeA && !transposeB) {
      da = matMul(b, g, false, true);
      db = matMul(a, g, false, false);
    } else {
      da = matMul(b, g, true, true);
      db = matMul(g, a, true, true);
    }
    return [unbroadcast(da, a.shape), unbroadcast(db, b.shape)];
  },
});

/**
 * The VJP of `a·b` (b an unbatched weight) when the cotangent `g` is a
 * BroadcastTo along axes other than the last (the VJP of a sum over
 * groups, as in PEAA): every broadcast copy of a row has the same
 * gradient, so da = broadcast(s·bᵀ) is computed on the rows of the source
 * s only, and db = (Σ_axes a)ᵀ·s on the summed rows: each product on 1/G
 * of the rows. Undefined when g is not such a broadcast.
 */
function foldBroadcastCotangent(g: NodeRef, a: NodeRef, b: NodeRef, transposeB: boolean): (NodeRef | null)[] | undefined {
  const node = g.builder.nodeOf(g);
  if (node.op !== 'BroadcastTo') return undefined;
  const s = g.builder.ref(node.inputs[0]);
  const last = g.rank - 1;
  if (s.rank !== g.rank || s.shape[last] !== g.shape[last]) return undefined;
  const axes = s.shape.map((d, i) => (d === 1 && g.shape[i] !== 1 ? i : -1)).filter((i) => i >= 0);
  if (axes.length === 0 || s.shape.some((d, i) => d !== 1 && d !== g.shape[i])) return undefined;
  const da = broadcastTo(matMul(s, b, false, !transposeB), a.shape);
  const aSum = reduceSum(a, axes, true);
  const rows = s.shape.slice(0, -1).reduce((x, y) => x * y, 1);
  const aFlat = reshape(aSum, [rows, a.shape[last]]);
  const sFlat = reshape(s, [rows, s.shape[last]]);
  const db = transposeB ? matMul(sFlat, aFlat, true, false) : matMul(aFlat, sFlat, true, false);
  return [da, db];
}

/**
 * Batched matrix product of `a` and `b`, optionally transposing either.
 *
 * @example
 * ```ts
 * import { GraphBuilder, matMul } from '@sas/core';
 * const b = new GraphBuilder();
 * const scores = matMul(b.input('q', [2, 5, 8]), b.input('k', [2, 5, 8]), false, true); // [2, 5, 5]
 * ```
 */
export function matMul(a: NodeRef, b: NodeRef, transposeA = false, transposeB = false): NodeRef {
  return a.builder.apply('MatMul', [a, b], { transposeA, transposeB });
}
