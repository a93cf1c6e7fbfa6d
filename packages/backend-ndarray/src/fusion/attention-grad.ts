import { forEachBroadcast, sizeOf, type AttentionOperand } from '@sas/core';
import { alloc, type FloatData, type NdHandle } from '../handle.js';
import type { GemmEngine } from '../lib/gemm.js';
import { transpose2d } from '../lib/transpose2d.js';
import { softmaxScaledRow } from './attention.js';
import { keysSeen } from '../lib/causal.js';
import type { RowView } from '../lib/rows.js';

/** Query rows per block: every strip is BLOCK_Q × Tk (at most), never Tq × Tk. */
export const GRAD_BLOCK_Q = 64;

/** The operands of one attention backward, read row by row (see rows.ts). */
export interface AttentionGradOperands {
  readonly q: RowView;
  readonly k: RowView;
  readonly v: RowView;
  /** The attention's output, [...batch, Tq, Dv]. */
  readonly out: RowView;
  /** The output cotangent, [...batch, Tq, Dv]. */
  readonly g: RowView;
  readonly batchShape: readonly number[];
  readonly scale: number;
  readonly causal: boolean;
}

/** Adds the `rows`×`cols` block `src` (row stride `cols`) into `dst` rows starting at `dOff` (stride `ld`). */
function addBlock(src: FloatData, dst: FloatData, dOff: number, ld: number, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const s = r * cols;
    const d = dOff + r * ld;
    for (let c = 0; c < cols; c++) dst[d + c] += src[s + c];
  }
}

/**
 * The gradients of `softmax(mask(scale·q·kᵀ))·v` with respect to each
 * operand in `wants`, computed together without storing the Tq×Tk
 * probabilities (FlashAttention's backward, on CPU). For each head and each
 * block of query rows it recomputes the score strip of the keys the block
 * can see and its softmax P, then
 *   dv += Pᵀ·g,  dP = g·vᵀ,  dS = scale · P ⊙ (dP − rowsum(g ⊙ out)),
 *   dq  = dS·k,  dk += dSᵀ·q,
 * five products per block through `gemm`, in memory O(BLOCK_Q·Tk). Each
 * gradient is summed over the batch axes its operand is broadcast on (a kv
 * head shared by a group of query heads). Rows that see no key (causal with
 * Tq > Tk) follow the reference: their dq and dk terms are 0, and dv is NaN.
 *
 * @example
 * ```ts
 * import { attentionGrads } from './attention-grad.js';
 * import { rowView } from '../lib/rows.js';
 * import { wrap } from '../handle.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const x = rowView(wrap(Float32Array.of(1, 0, 0, 1), [2, 2]));
 * const grads = attentionGrads({ q: x, k: x, v: x, out: x, g: x, batchShape: [], scale: 1, causal: true }, new Set(['v']), jsGemm, 'float32', { v: [2, 2] });
 * grads.v!.shape; // [2, 2]
 * ```
 */
export function attentionGrads(
  ops: AttentionGradOperands,
  wants: ReadonlySet<AttentionOperand>,
  gemm: GemmEngine,
  dtype: 'float32' | 'float64',
  shapes: Partial<Record<AttentionOperand, readonly number[]>>,
): Partial<Record<AttentionOperand, NdHandle>> {
  const { q, k, v, out, g, batchShape, causal } = ops;
  const result: Partial<Record<AttentionOperand, NdHandle>> = {};
  for (const w of wants) result[w] = alloc(dtype, shapes[w]!);
  const dq = result.q?.data;
  const dk = result.k?.data;
  const dv = result.v?.data;
  const { rows: tq, cols: dkw } = q;
  const tk = k.rows;
  const dvw = v.cols;
  if (sizeOf(batchShape) === 0 || tq === 0 || tk === 0) return result;
  // Rows that see no key make P NaN over every key, so every dv entry is NaN (as P·ᵀg in the reference).
  if (dv && causal && tq > tk) dv.fill(NaN);
  const Float = dtype === 'float32' ? Float32Array : Float64Array;
  const scale = dtype === 'float32' ? Math.fround(ops.scale) : ops.scale;
  const block = Math.min(GRAD_BLOCK_Q, tq);
  const p = new Float(block * tk); // P, then dS
  const dp = new Float(block * tk);
  const pt = new Float(tk * block); // Pᵀ or dSᵀ
  const gt = new Float(dvw * block); // g blockᵀ
  const qt = new Float(dkw * block); // q blockᵀ
  const kt = new Float(dkw * tk); // kᵀ of the current head
  const tmpQ = new Float(block * dkw);
  const tmpK = new Float(tk * Math.max(dkw, dvw));
  const rowDot = new Float64Array(block);
  const needS = !!(dq || dk);
  // Offsets of each operand's rows in the gradient outputs (contiguous, their own shapes).
  const qRows = (i: number) => i * tq * dkw;
  const kRows = (i: number) => i * tk * dkw;
  const vRows = (i: number) => i * tk * dvw;
  let packedK = -1;
  forEachBroadcast(batchShape, [q.batchShape, k.batchShape, v.batchShape, out.batchShape, g.batchShape], (_bi, [qi, ki, vi, oi, gi]) => {
    if (dq && ki !== packedK) {
      transpose2d(k.data, k.batchOffsets[ki], k.rowStride, tk, dkw, kt, 0, tk);
      packedK = ki;
    }
    const qOff = q.batchOffsets[qi];
    const kOff = k.batchOffsets[ki];
    const vOff = v.batchOffsets[vi];
    const gOff = g.batchOffsets[gi];
    const oOff = out.batchOffsets[oi];
    for (let i0 = 0; i0 < tq; i0 += block) {
      const rows = Math.min(block, tq - i0);
      const width = keysSeen(i0 + rows - 1, tk, tq, tk, causal);
      if (width === 0) continue;
      const valid = (r: number) => keysSeen(i0 + r, width, tq, tk, causal);
      gemm.abt(q.data, qOff + i0 * q.rowStride, q.rowStride, k.data, kOff, k.rowStride, p, 0, width, rows, width, dkw);
      for (let r = 0; r < rows; r++) softmaxScaledRow(p, r * width, valid(r), width, scale);
      transpose2d(g.data, gOff + i0 * g.rowStride, g.rowStride, rows, dvw, gt, 0, rows);
      if (dv) {
        // dv[0:width] += Pᵀ·g_block
        transpose2d(p, 0, width, rows, width, pt, 0, rows);
        gemm.abt(pt, 0, rows, gt, 0, rows, tmpK, 0, dvw, width, dvw, rows);
        addBlock(tmpK, dv, vRows(vi), dvw, width, dvw);
      }
      if (!needS) continue;
      gemm.abt(g.data, gOff + i0 * g.rowStride, g.rowStride, v.data, vOff, v.rowStride, dp, 0, width, rows, width, dvw);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        const go = gOff + (i0 + r) * g.rowStride;
        const oo = oOff + (i0 + r) * out.rowStride;
        for (let c = 0; c < dvw; c++) s += g.data[go + c] * out.data[oo + c];
        rowDot[r] = s;
      }
      // dS in place of P; masked entries (and rows that see no key) are 0, as CausalMask's VJP makes them.
      for (let r = 0; r < rows; r++) {
        const n = valid(r);
        const base = r * width;
        const d = rowDot[r];
        for (let j = 0; j < n; j++) p[base + j] = p[base + j] * (dp[base + j] - d) * scale;
        p.fill(0, base + n, base + width);
      }
      if (dq) {
        // dq_block = dS·k[0:width] = dS·(kᵀ)ᵀ
        gemm.abt(p, 0, width, kt, 0, tk, tmpQ, 0, dkw, rows, dkw, width);
        addBlock(tmpQ, dq, qRows(qi) + i0 * dkw, dkw, rows, dkw);
      }
      if (dk) {
        // dk[0:width] += dSᵀ·q_block
        transpose2d(p, 0, width, rows, width, pt, 0, rows);
        transpose2d(q.data, qOff + i0 * q.rowStride, q.rowStride, rows, dkw, qt, 0, rows);
        gemm.abt(pt, 0, rows, qt, 0, rows, tmpK, 0, dkw, width, dkw, rows);
        addBlock(tmpK, dk, kRows(ki), dkw, width, dkw);
      }
    }
  });
  return result;
}
