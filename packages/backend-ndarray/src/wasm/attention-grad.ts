import { forEachBroadcast, sizeOf, type AttentionOperand } from '@sas/core';
import type { AttentionGradOperands } from '../fusion/attention-grad.js';
import { keysSeen } from '../lib/causal.js';
import { transpose2d } from '../lib/transpose2d.js';
import { copyRows, roundUp, type WasmRuntime } from './runtime.js';

/** Query rows per block (a multiple of 4: the block is the K of two products). */
const BLOCK_Q = 32;

/** Adds `rows`×`cols` of the heap block at `src` (stride `lds`) into `dst` rows from `dOff` (stride `cols`). */
function addRows(heap: Float32Array, src: number, lds: number, dst: Float32Array, dOff: number, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const s = src + r * lds;
    const d = dOff + r * cols;
    for (let c = 0; c < cols; c++) dst[d + c] += heap[s + c];
  }
}

/**
 * `attentionGrads` (fusion/attention-grad.ts) with everything resident in
 * the SIMD runtime's heap, float32: per head, q, k, v and g are staged once
 * (rows padded to 4 floats) with kᵀ; then per block of query rows the score
 * strip, its softmax (`softmax_rows`), dP = g·vᵀ, dS, and the products
 * Pᵀ·g and dSᵀ·q (`gemm_atb`, summed into per-head accumulators without
 * transposing anything) and dS·k all run in wasm on heap operands; only
 * dq blocks and the finished dk, dv come back, added into the gradients.
 * With `range`, only batch entries `range[0] ≤ b < range[1]` are computed
 * (one thread's share; entries must then not share a k or v head). `grads` are zero-filled
 * float32 arrays shaped like their operands (contiguous).
 *
 * @example
 * ```ts
 * import { wasmAttentionGrads } from './attention-grad.js';
 * import { WasmRuntime } from './runtime.js';
 * import { rowView } from '../lib/rows.js';
 * import { wrap } from '../handle.js';
 * const x = rowView(wrap(Float32Array.of(1, 0, 0, 1), [2, 2]));
 * const dv = new Float32Array(4);
 * wasmAttentionGrads(new WasmRuntime(), { q: x, k: x, v: x, out: x, g: x, batchShape: [], scale: 1, causal: true }, { v: dv });
 * ```
 */
export function wasmAttentionGrads(
  rt: WasmRuntime,
  ops: AttentionGradOperands,
  grads: Partial<Record<AttentionOperand, Float32Array>>,
  range?: readonly [number, number],
): void {
  const { q, k, v, out, g, batchShape, causal } = ops;
  const { q: dq, k: dk, v: dv } = grads;
  const { rows: tq, cols: dkw } = q;
  const tk = k.rows;
  const dvw = v.cols;
  if (sizeOf(batchShape) === 0 || tq === 0 || tk === 0) return;
  // Rows that see no key make P NaN over every key, so every dv entry is NaN (as Pᵀ·g in the reference).
  const nanDv = !!dv && causal && tq > tk;
  const scale = Math.fround(ops.scale);
  const needS = !!(dq || dk);
  const dk4 = roundUp(Math.max(dkw, 1), 4);
  const dv4 = roundUp(Math.max(dvw, 1), 4);
  const tq4 = roundUp(tq, 4);
  const tk4 = roundUp(tk, 4);
  // Columns of the dK and dV sums: gemm_atb writes 8-float tiles.
  const dk8 = roundUp(dk4, 8);
  const dv8 = roundUp(dv4, 8);
  const block = Math.min(BLOCK_Q, tq4);
  // Heap layout, in floats.
  const qBase = 0;
  const kBase = qBase + tq4 * dk4;
  const ktBase = kBase + tk4 * dk4;
  const vBase = ktBase + dk4 * tk4;
  const gBase = vBase + tk4 * dv4;
  // gemm_atb reads 8-float tiles of g and q rows: a row of slack after each.
  const sBase = gBase + tq4 * dv4 + dv8;
  const dpBase = sBase + block * tk4;
  const dBase = dpBase + block * tk4; // rowsum(g ⊙ out) of the block's rows
  const cqBase = dBase + block;
  // dk and dv of the current kv head, summed over query blocks (and heads sharing it) in place.
  const dkAcc = cqBase + block * dk4 + dk8;
  const dvAcc = dkAcc + tk4 * dk8;
  const end = dvAcc + tk4 * dv8;
  let heap = rt.reserve(end);
  heap.fill(0, 0, end);
  const qd = q.data as Float32Array;
  const kd = k.data as Float32Array;
  const vd = v.data as Float32Array;
  const gd = g.data as Float32Array;
  const od = out.data as Float32Array;
  let stagedK = -1;
  let stagedV = -1;
  let accK = -1;
  let accV = -1;
  // Adds an accumulator into its gradient rows and clears it.
  const flush = (acc: number, ld: number, grad: Float32Array | undefined, index: number, cols: number) => {
    if (!grad || index < 0) return;
    heap = rt.heap;
    addRows(heap, acc, ld, grad, index * tk * cols, tk, cols);
    heap.fill(0, acc, acc + tk4 * ld);
  };
  forEachBroadcast(batchShape, [q.batchShape, k.batchShape, v.batchShape, out.batchShape, g.batchShape], (bi, [qi, ki, vi, oi, gi]) => {
    // A thread's share of the heads (see threads/attention-grad.ts): other entries belong to other threads.
    if (range && (bi < range[0] || bi >= range[1])) return;
    if (nanDv) dv!.fill(NaN, vi * tk * dvw, (vi + 1) * tk * dvw);
    heap = rt.heap;
    copyRows(qd, q.batchOffsets[qi], q.rowStride, heap, qBase, dk4, tq, dkw);
    copyRows(gd, g.batchOffsets[gi], g.rowStride, heap, gBase, dv4, tq, dvw);
    if (ki !== accK) {
      flush(dkAcc, dk8, dk, accK, dkw);
      accK = ki;
    }
    if (vi !== accV) {
      flush(dvAcc, dv8, dv, accV, dvw);
      accV = vi;
    }
    if (ki !== stagedK) {
      copyRows(kd, k.batchOffsets[ki], k.rowStride, heap, kBase, dk4, tk, dkw);
      if (dq) transpose2d(kd, k.batchOffsets[ki], k.rowStride, tk, dkw, heap, ktBase, tk4);
      stagedK = ki;
    }
    if (vi !== stagedV && needS) {
      copyRows(vd, v.batchOffsets[vi], v.rowStride, heap, vBase, dv4, tk, dvw);
      stagedV = vi;
    }
    const oOff = out.batchOffsets[oi];
    const gOff = g.batchOffsets[gi];
    for (let i0 = 0; i0 < tq; i0 += block) {
      const rows = Math.min(block, tq - i0);
      const rows4 = roundUp(rows, 4);
      const width = keysSeen(i0 + rows - 1, tk, tq, tk, causal);
      if (width === 0) continue;
      const w4 = roundUp(width, 4);
      const valid = (r: number) => (r >= rows ? 0 : keysSeen(i0 + r, width, tq, tk, causal));
      rt.gemm((qBase + i0 * dk4) * 4, kBase * 4, sBase * 4, rows4, w4, dk4, dk4 * 4, dk4 * 4, w4 * 4);
      // Row r sees keys j < v0 + r (causal) or all `width`; rows seeing none get P = 0 (dv is NaN already).
      const v0 = causal ? i0 + tk - tq + 1 : width;
      const first = Math.min(rows, Math.max(0, 1 - v0));
      if (first < rows) rt.softmaxRows((sBase + first * w4) * 4, rows - first, w4 * 4, v0 + first, causal ? 1 : 0, width, scale);
      heap = rt.heap;
      for (let r = 0; r < rows4; r++) heap.fill(0, sBase + r * w4 + valid(r), sBase + (r + 1) * w4);
      if (dv) {
        // dv[0:w4] += Pᵀ·g_block, contracting over the block's rows (P [rows4 × w4], g rows [rows4 × dv]).
        rt.gemmAtB(sBase * 4, (gBase + i0 * dv4) * 4, dvAcc * 4, w4, dv8, rows4, w4 * 4, dv4 * 4, dv8 * 4);
      }
      if (!needS) continue;
      rt.gemm((gBase + i0 * dv4) * 4, vBase * 4, dpBase * 4, rows4, w4, dv4, dv4 * 4, dv4 * 4, w4 * 4);
      heap = rt.heap;
      for (let r = 0; r < rows; r++) {
        let s = 0;
        const go = gOff + (i0 + r) * g.rowStride;
        const oo = oOff + (i0 + r) * out.rowStride;
        for (let c = 0; c < dvw; c++) s += gd[go + c] * od[oo + c];
        heap[dBase + r] = s;
      }
      // dS = scale · P ⊙ (dP − rowsum(g ⊙ out)) in place of P, then masked and padding entries
      // back to exactly 0 (CausalMask's VJP), whatever dP held there.
      rt.softmaxGradRows(sBase * 4, dpBase * 4, dBase * 4, rows, w4, w4 * 4, scale);
      heap = rt.heap;
      for (let r = 0; r < rows; r++) heap.fill(0, sBase + r * w4 + valid(r), sBase + (r + 1) * w4);
      if (dq) {
        // dq_block = dS·k[0:w4]: B = kᵀ rows (stride tk4), K = w4.
        rt.gemm(sBase * 4, ktBase * 4, cqBase * 4, rows4, dk4, w4, w4 * 4, tk4 * 4, dk4 * 4);
        heap = rt.heap;
        addRows(heap, cqBase, dk4, dq, qi * tq * dkw + i0 * dkw, rows, dkw);
      }
      if (dk) {
        // dk[0:w4] += dSᵀ·q_block, contracting over the block's rows.
        rt.gemmAtB(sBase * 4, (qBase + i0 * dk4) * 4, dkAcc * 4, w4, dk8, rows4, w4 * 4, dk4 * 4, dk8 * 4);
      }
    }
  });
  flush(dkAcc, dk8, dk, accK, dkw);
  flush(dvAcc, dv8, dv, accV, dvw);
}
