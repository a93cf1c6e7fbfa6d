import { forEachBroadcast, sizeOf } from '@sas/core';
import { allocData, dtypeOf, type FloatData } from '../handle.js';
import { applyEpilogue, hasAdds, shiftEpilogue, type Epilogue } from './epilogue.js';
import type { GemmEngine } from './gemm.js';
import { transpose2d } from './transpose2d.js';

/** A matmul operand as the kernel receives it: flat data and its full shape. */
export interface Operand {
  readonly data: FloatData;
  readonly shape: readonly number[];
}

/**
 * Batched `out = op(a)·op(b)` with numpy broadcasting of the batch axes,
 * reduced to `gemmABt` calls. Operands whose inner axis is not K (a transposed
 * A, an untransposed B) are packed once per distinct batch matrix into a
 * scratch buffer; when b has no batch of its own and A is not transposed, the
 * whole batch of A is a single tall matrix against one packed B (the feature
 * maps and the PEAA dense layer take this path). An `epilogue` (bias along
 * the last axis, addends shaped like the output, relu on A) is applied per
 * batch matrix.
 *
 * @example
 * ```ts
 * import { batchedMatMul } from './matmul.js';
 * import { jsGemm } from './gemm.js';
 * const out = new Float32Array(1);
 * batchedMatMul({ data: Float32Array.of(1, 2), shape: [1, 2] }, { data: Float32Array.of(3, 4), shape: [2, 1] }, false, false, out, [1, 1], jsGemm); // out = [11]
 * ```
 */
export function batchedMatMul(
  a: Operand,
  b: Operand,
  transposeA: boolean,
  transposeB: boolean,
  out: FloatData,
  outShape: readonly number[],
  gemm: GemmEngine,
  epilogue?: Epilogue,
): void {
  const ar = a.shape.length;
  const br = b.shape.length;
  const m = transposeA ? a.shape[ar - 1] : a.shape[ar - 2];
  const k = transposeA ? a.shape[ar - 2] : a.shape[ar - 1];
  const n = transposeB ? b.shape[br - 2] : b.shape[br - 1];
  if (out.length === 0) return;
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  if (takesAtb(a.data, b.data, out, transposeA, transposeB, gemm)) {
    // Aᵀ·B (weight gradients) as it lies: no packing.
    const atb = gemm.atb!.bind(gemm);
    const outA = out as Float32Array;
    forEachBroadcast(outShape.slice(0, -2), [aBatch, bBatch], (bi, [ai, bj]) => {
      const cOff = bi * m * n;
      atb(
        a.data as Float32Array,
        ai * m * k,
        m,
        b.data as Float32Array,
        bj * k * n,
        n,
        outA,
        cOff,
        n,
        m,
        n,
        k,
        epilogue?.reluA === true,
        epilogue?.reluB === true,
      );
      if (hasAdds(epilogue)) applyEpilogue(outA, cOff, n, 0, m, n, shiftEpilogue(epilogue, { offset: cOff })!);
    });
    return;
  }
  if ((epilogue?.reluA && transposeA) || epilogue?.reluB)
    throw new Error('batchedMatMul: relu on a transposed A or on B needs an engine with atb and float32 operands');
  // Scratch through allocData: shared when threads may read it (no copy for the workers).
  const scratchB = transposeB ? undefined : allocData(dtypeOf(b.data), n * k, true);
  const packB = (offset: number): FloatData => {
    if (!scratchB) return b.data;
    transpose2d(b.data, offset, n, k, n, scratchB, 0, k);
    return scratchB;
  };
  if (!transposeA && sizeOf(bBatch) === 1) {
    const bt = packB(0);
    gemm.abt(a.data, 0, k, bt, 0, k, out, 0, n, sizeOf(aBatch) * m, n, k, epilogue);
    return;
  }
  const scratchA = transposeA ? allocData(dtypeOf(a.data), m * k, true) : undefined;
  let packedA = -1;
  let packedB = -1;
  let bt: FloatData = b.data;
  let at: FloatData = a.data;
  forEachBroadcast(outShape.slice(0, -2), [aBatch, bBatch], (bi, [ai, bj]) => {
    const aOff = ai * m * k;
    const bOff = bj * k * n;
    if (scratchA && ai !== packedA) {
      transpose2d(a.data, aOff, m, k, m, scratchA, 0, k);
      at = scratchA;
      packedA = ai;
    }
    if (scratchB && bj !== packedB) {
      bt = packB(bOff);
      packedB = bj;
    }
    const cOff = bi * m * n;
    gemm.abt(at, scratchA ? 0 : aOff, k, bt, scratchB ? 0 : bOff, k, out, cOff, n, m, n, k, shiftEpilogue(epilogue, { offset: cOff }));
  });
}

/**
 * True when `batchedMatMul` runs this product on the engine's Aᵀ·B kernel
 * (float32 Aᵀ·B on an engine that has one), the only route that reads a
 * transposed A, or B, through relu.
 *
 * @example
 * ```ts
 * import { takesAtb } from './matmul.js';
 * import { jsGemm } from './gemm.js';
 * takesAtb(new Float32Array(1), new Float32Array(1), new Float32Array(1), true, false, jsGemm); // false: no atb kernel
 * ```
 */
export function takesAtb(a: FloatData, b: FloatData, out: FloatData, transposeA: boolean, transposeB: boolean, gemm: GemmEngine): boolean {
  return transposeA && !transposeB && !!gemm.atb && a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array;
}
