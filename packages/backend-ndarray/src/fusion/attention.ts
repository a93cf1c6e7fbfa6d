import { forEachBroadcast, sizeOf, type GraphNode } from '@sas/core';
import type { KernelContext } from '../context.js';
import { Deferred, type Value } from '../deferred.js';
import { alloc, allocData, wrap, type FloatData, type NdHandle } from '../handle.js';
import type { GemmEngine } from '../lib/gemm.js';
import { transpose2d } from '../lib/transpose2d.js';
import { jsAttention } from '../lib/attention-engine.js';
import type { AttentionFusion } from './plan.js';
import { keysSeen } from '../lib/causal.js';
import { outputView, rowView, type RowView } from '../lib/rows.js';

/** Query rows per block: the score strip is BLOCK_Q × Tk, never Tq × Tk. */
export const BLOCK_Q = 64;

/**
 * Softmax of `scale·s[i .. i+valid)` in place, zeroing `s[i+valid .. i+width)`
 * (the causally masked tail of the strip). Semantics of Mul → CausalMask →
 * Softmax: NaN propagates, and a row with nothing valid is all NaN.
 */
export function softmaxScaledRow(s: FloatData, i: number, valid: number, width: number, scale: number): void {
  if (valid === 0) {
    s.fill(NaN, i, i + width);
    return;
  }
  let max = -Infinity;
  for (let j = 0; j < valid; j++) {
    const v = s[i + j] * scale;
    if (v > max || v !== v) max = v;
  }
  let sum = 0;
  for (let j = 0; j < valid; j++) {
    const e = Math.exp(s[i + j] * scale - max);
    s[i + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = 0; j < valid; j++) s[i + j] *= inv;
  if (valid < width) s.fill(0, i + valid, i + width);
}

/**
 * `softmax(mask(scale · q·kᵀ)) · v` for q [..., Tq, Dk], k [..., Tk, Dk],
 * v [..., Tk, Dv] (row views: contiguous or read through a head-layout
 * transpose) with broadcast batch axes (grouped kv heads), mask bottom-right
 * aligned as CausalMask, written through the row view `out` whose batch
 * shape is `batchShape`. For each head and each block of BLOCK_Q query rows
 * it computes only the key columns some row of the block may see (fully
 * masked key blocks are skipped: about half the work when causal), the exact
 * two-pass softmax of each row, and the block's output, through the
 * backend's gemm engine. Memory: one BLOCK_Q × Tk strip and one Dv × Tk copy
 * of vᵀ, instead of the whole score tensor. The scale is rounded to the
 * storage type first, as the graph's constant was.
 *
 * @example
 * ```ts
 * import { attention } from './attention.js';
 * import { rowView } from '../lib/rows.js';
 * import { wrap } from '../handle.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const x = rowView(wrap(Float32Array.of(1, 0, 0, 1), [2, 2]));
 * const out = rowView(wrap(new Float32Array(4), [2, 2]));
 * attention(x, x, x, out, [], 1, true, jsGemm); // out row 0 = [1, 0] (sees only key 0)
 * ```
 */
export function attention(
  q: RowView,
  k: RowView,
  v: RowView,
  out: RowView,
  batchShape: readonly number[],
  scale: number,
  causal: boolean,
  gemm: GemmEngine,
): void {
  const { rows: tq, cols: dk } = q;
  const { rows: tk } = k;
  const dv = v.cols;
  const o = out.data;
  if (tq * dv === 0 || batchShape.some((d) => d === 0)) return;
  const Float = o.constructor as Float32ArrayConstructor;
  // No keys: the probabilities are empty and their product with v is all zeros.
  if (tk === 0) {
    forEachBroadcast(batchShape, [], (bi) => {
      for (let r = 0; r < tq; r++) o.fill(0, out.batchOffsets[bi] + r * out.rowStride, out.batchOffsets[bi] + r * out.rowStride + dv);
    });
    return;
  }
  const strip = new Float(Math.min(BLOCK_Q, tq) * tk);
  const vt = new Float(dv * tk);
  const s = o instanceof Float32Array ? Math.fround(scale) : scale;
  let packed = -1;
  forEachBroadcast(batchShape, [q.batchShape, k.batchShape, v.batchShape], (bi, [qi, ki, vi]) => {
    if (vi !== packed) {
      transpose2d(v.data, v.batchOffsets[vi], v.rowStride, tk, dv, vt, 0, tk);
      packed = vi;
    }
    const qOff = q.batchOffsets[qi];
    const kOff = k.batchOffsets[ki];
    const oOff = out.batchOffsets[bi];
    for (let i0 = 0; i0 < tq; i0 += BLOCK_Q) {
      const rows = Math.min(BLOCK_Q, tq - i0);
      // Keys visible to the block's last row; later key columns are masked for every row.
      const width = keysSeen(i0 + rows - 1, tk, tq, tk, causal);
      if (width === 0) {
        for (let r = 0; r < rows; r++) o.fill(NaN, oOff + (i0 + r) * out.rowStride, oOff + (i0 + r) * out.rowStride + dv);
        continue;
      }
      gemm.abt(q.data, qOff + i0 * q.rowStride, q.rowStride, k.data, kOff, k.rowStride, strip, 0, width, rows, width, dk);
      for (let r = 0; r < rows; r++) {
        const valid = keysSeen(i0 + r, width, tq, tk, causal);
        softmaxScaledRow(strip, r * width, valid, width, s);
      }
      gemm.abt(strip, 0, width, vt, 0, tk, o, oOff + i0 * out.rowStride, out.rowStride, rows, dv, width);
    }
  });
}

/**
 * The fused kernel as the executor calls it at the end of a planned chain:
 * on the final MatMul (inputs: the deferred probabilities and v), or on the
 * Transpose after it (input: the deferred MatMul), writing the permuted
 * layout directly. q and k come from the deferred scores node at the bottom
 * of the chain; q, k and v may be deferred head-layout transposes, read in
 * place. It runs on the backend's attention engine (lib/attention-engine.ts:
 * the SIMD kernel for float32 where the runtime has it, else `attention`). Returns undefined when the chain
 * is not the planned one.
 *
 * @example
 * ```ts
 * // Called by the backend for nodes `planFusion` marks as attention; see backend.ts.
 * ```
 */
export function attentionFromChain(inputs: readonly Value[], node: GraphNode, role: AttentionFusion, ctx: KernelContext): NdHandle | undefined {
  let product: { op: string; inputs: readonly Value[]; shape: readonly number[] } = { op: node.op, inputs, shape: node.shape };
  if (role.outPerm) {
    const d = inputs[0];
    if (!(d instanceof Deferred) || (d.node.op !== 'MatMul' && d.node.op !== 'Attention')) return undefined;
    product = { op: d.node.op, inputs: d.inputs, shape: d.node.shape };
  }
  // An Attention node carries q, k, v itself; a primitive chain has them under its scores MatMul.
  if (product.op === 'Attention') return runAttention(product.inputs[0], product.inputs[1], product.inputs[2], node, product.shape, role, ctx);
  let d: Value | undefined = product.inputs[0];
  while (d instanceof Deferred && !(d.node.op === 'MatMul' && d.node.attrs.transposeB === true))
    d = d.inputs.find((x) => x instanceof Deferred && x.node.op !== 'Transpose');
  if (!(d instanceof Deferred) || d.node.inputs[0] !== role.q || d.node.inputs[1] !== role.k) return undefined;
  return runAttention(d.inputs[0], d.inputs[1], product.inputs[1], node, product.shape, role, ctx);
}

/**
 * Runs the fused kernel on q, k, v values (handles or deferred head-layout
 * transposes) for `node`, whose value is the attention of logical shape
 * `logical`, permuted by `role.outPerm` when set.
 *
 * @example
 * ```ts
 * // Called by attentionFromChain and the Attention kernel (kernels/Attention.ts).
 * ```
 */
export function runAttention(
  qv: Value,
  kv: Value,
  vv: Value,
  node: GraphNode,
  logical: readonly number[],
  role: Pick<AttentionFusion, 'scale' | 'causal' | 'outPerm'>,
  ctx: KernelContext,
): NdHandle {
  const q = rowView(qv);
  const k = rowView(kv);
  const v = rowView(vv);
  const product = { shape: logical };
  const engine = ctx.attention ?? jsAttention(ctx.gemm);
  // Threads write the output in place, so it lives in shared memory (recycled from run to run like any other).
  const result = engine.sharesOutput(node.dtype) ? wrap(allocData('float32', sizeOf(node.shape), true), node.shape) : alloc(node.dtype, node.shape);
  const out = outputView(result, product.shape, role.outPerm);
  engine.forward(q, k, v, out, product.shape.slice(0, -2), role.scale, role.causal);
  return result;
}
