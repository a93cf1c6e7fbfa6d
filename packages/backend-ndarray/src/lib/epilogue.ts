import type { FloatData } from '../handle.js';
import { reluInto } from './relu.js';

/** A vector or tensor operand of an epilogue: storage and the offset of its first element. */
export interface EpilogueOperand {
  readonly data: FloatData;
  readonly off: number;
}

/**
 * Work folded into a matrix product so that `add(matMul(x, w), b)`, a
 * residual `add(z, …)` and a `relu` on the left operand cost no extra pass
 * and no extra buffer: C[i, j] = Σ_p f(A[i,p])·B[j,p] + colBias[j] +
 * rowBias[i] + Σ addend[i, j], where f is relu when `reluA`. Row indices
 * count from the first row of the block given to the engine; addends share
 * C's layout (row stride ldc).
 */
export interface Epilogue {
  /** Per output column j (a linear layer's bias). */
  readonly colBias?: EpilogueOperand;
  /** Per output row i (a convolution's per-channel bias). */
  readonly rowBias?: EpilogueOperand;
  /** Tensors shaped like C, added elementwise. */
  readonly addends?: readonly EpilogueOperand[];
  /** Read A through relu. */
  readonly reluA?: boolean;
  /** Read B through relu: only the Aᵀ·B path (`GemmEngine.atb`) takes it. */
  readonly reluB?: boolean;
}

/** Where a block of C lies relative to the block an epilogue was written for (see `shiftEpilogue`). */
export interface EpilogueShift {
  /** Elements to another matrix of a batch (a sample, a batch matrix): addends move, biases restart. */
  readonly offset?: number;
  /** Rows into the matrix: the row bias moves by this, addends by rows · ldc. */
  readonly rows?: number;
  /** Columns into the matrix: the column bias and addends move by this. */
  readonly cols?: number;
  /** Row stride of C (and of the addends), needed with `rows`. */
  readonly ldc?: number;
}

/**
 * The epilogue of a block of C further in: the one helper every engine and
 * kernel uses to split a product (by batch matrix, row chunk or column panel)
 * while its epilogue follows. Biases index one matrix, so only `rows`/`cols`
 * move them; addends are shaped like C, so every step moves them. Returns
 * `ep` itself when nothing moves.
 *
 * @example
 * ```ts
 * import { shiftEpilogue } from './epilogue.js';
 * const ep = { rowBias: { data: new Float32Array(4), off: 1 }, addends: [{ data: new Float32Array(64), off: 0 }] };
 * shiftEpilogue(ep, { rows: 2, ldc: 8 }); // rowBias.off 3, addends[0].off 16
 * shiftEpilogue(ep, { offset: 32 }); // rowBias.off 1, addends[0].off 32
 * ```
 */
export function shiftEpilogue(ep: Epilogue | undefined, { offset = 0, rows = 0, cols = 0, ldc = 0 }: EpilogueShift): Epilogue | undefined {
  const addendShift = offset + rows * ldc + cols;
  if (!ep || (addendShift === 0 && rows === 0 && cols === 0)) return ep;
  const move = (o: EpilogueOperand | undefined, by: number) => (o && by !== 0 ? { data: o.data, off: o.off + by } : o);
  return {
    ...ep,
    rowBias: move(ep.rowBias, rows),
    colBias: move(ep.colBias, cols),
    addends: ep.addends?.map((a) => move(a, addendShift)!),
  };
}

/**
 * Adds the epilogue's biases and addends to rows `r0 .. r0+rows` of the
 * M×N block of C at `cOff` (row stride `ldc`), in place, one row at a time
 * while the row is still in cache.
 *
 * @example
 * ```ts
 * import { applyEpilogue } from './epilogue.js';
 * const c = Float32Array.of(1, 2, 3, 4);
 * applyEpilogue(c, 0, 2, 0, 2, 2, { colBias: { data: Float32Array.of(10, 20), off: 0 } }); // c = [11, 22, 13, 24]
 * ```
 */
export function applyEpilogue(C: FloatData, cOff: number, ldc: number, r0: number, rows: number, N: number, ep: Epilogue): void {
  const { colBias, rowBias, addends } = ep;
  for (let r = r0; r < r0 + rows; r++) {
    const row = cOff + r * ldc;
    if (rowBias) {
      const b = rowBias.data[rowBias.off + r];
      for (let j = 0; j < N; j++) C[row + j] += b;
    }
    if (colBias) {
      const bias = colBias.data;
      const o = colBias.off;
      for (let j = 0; j < N; j++) C[row + j] += bias[o + j];
    }
    if (addends) {
      for (const a of addends) {
        const src = a.data;
        const o = a.off + r * ldc;
        for (let j = 0; j < N; j++) C[row + j] += src[o + j];
      }
    }
  }
}

/**
 * True when the epilogue adds anything after the product.
 *
 * @example
 * ```ts
 * import { hasAdds } from './epilogue.js';
 * hasAdds({ reluA: true }); // false
 * ```
 */
export function hasAdds(ep: Epilogue | undefined): ep is Epilogue {
  return !!ep && (!!ep.colBias || !!ep.rowBias || (!!ep.addends && ep.addends.length > 0));
}

/**
 * Copies `rows` rows of `k` values of A (stride `lda`) to `dst[base..]` with
 * stride `ld`, through relu, zeroing `ld − k` padding values per row.
 *
 * @example
 * ```ts
 * import { copyRowsRelu } from './epilogue.js';
 * const d = new Float32Array(4);
 * copyRowsRelu(Float32Array.of(-1, 2, 3, -4), 0, 2, d, 0, 2, 2, 2); // d = [0, 2, 3, 0]
 * ```
 */
export function copyRowsRelu(src: FloatData, off: number, lda: number, dst: FloatData, base: number, ld: number, rows: number, k: number): void {
  if (lda === k && ld === k) {
    reluInto(src, off, dst, base, rows * k);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const s = off + r * lda;
    const d = base + r * ld;
    reluInto(src, s, dst, d, k);
    if (ld > k) dst.fill(0, d + k, d + ld);
  }
}

/** Rows shorter than this are copied by a loop: below it, making a `subarray` view per row costs more than copying. */
const SHORT_ROW = 64;

/**
 * Copies rows `r0 .. r0+rows` of an M×N float32 result held in `src` (row
 * stride `lds`) into float32 C and applies the epilogue while the row is in
 * cache: row bias, column bias, then each addend, every sum rounded to
 * float32 (the order and rounding of `applyEpilogue` on float32 C and of the
 * SIMD epilogue, `heapEpilogue`, so every path gives the same bits).
 *
 * @example
 * ```ts
 * import { storeRows } from './epilogue.js';
 * const c = new Float32Array(2);
 * storeRows(Float32Array.of(1, 2, 0, 0), 0, 4, c, 0, 2, 0, 1, 2, { colBias: { data: Float32Array.of(10, 20), off: 0 } }); // c = [11, 22]
 * ```
 */
export function storeRows(
  src: FloatData,
  sOff: number,
  lds: number,
  C: FloatData,
  cOff: number,
  ldc: number,
  r0: number,
  rows: number,
  N: number,
  ep: Epilogue | undefined,
): void {
  if (!hasAdds(ep)) {
    if (lds === N && ldc === N) {
      // Both blocks contiguous: one copy (a per-row `subarray` costs more than the copy on short rows).
      C.set(src.subarray(sOff, sOff + rows * N), cOff + r0 * N);
    } else if (N < SHORT_ROW) {
      for (let r = 0; r < rows; r++) {
        const s = sOff + r * lds;
        const d = cOff + (r0 + r) * ldc;
        for (let j = 0; j < N; j++) C[d + j] = src[s + j];
      }
    } else {
      for (let r = 0; r < rows; r++) C.set(src.subarray(sOff + r * lds, sOff + r * lds + N), cOff + (r0 + r) * ldc);
    }
    return;
  }
  const { rowBias, colBias } = ep;
  for (let r = 0; r < rows; r++) {
    const s = sOff + r * lds;
    const row = r0 + r;
    const d = cOff + row * ldc;
    // Each pass stores into float32 C, which rounds every sum as the SIMD path does.
    if (rowBias) {
      const rb = rowBias.data[rowBias.off + row];
      for (let j = 0; j < N; j++) C[d + j] = src[s + j] + rb;
    } else if (N < SHORT_ROW) {
      for (let j = 0; j < N; j++) C[d + j] = src[s + j];
    } else C.set(src.subarray(s, s + N), d);
    if (colBias) {
      const bias = colBias.data;
      const bo = colBias.off;
      for (let j = 0; j < N; j++) C[d + j] += bias[bo + j];
    }
    for (const a of ep.addends ?? []) {
      const add = a.data;
      const ao = a.off + row * ldc;
      for (let j = 0; j < N; j++) C[d + j] += add[ao + j];
    }
  }
}
