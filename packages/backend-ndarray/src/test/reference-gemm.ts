// The float64 reference interpreter as the oracle of the raw gemm kernels:
// strided float32 operands copied out densely, the product (and epilogue)
// built as a graph of core ops and evaluated in float64. Tests that compare
// two engines or thread counts with each other also compare with this.
import { expect } from 'vitest';
import { add, evaluateReference, GraphBuilder, matMul, relu, reshape, type NodeRef } from '@sas/core';
import type { FloatData } from '../handle.js';
import type { Epilogue } from '../lib/epilogue.js';

/** Where a product's operands lie: C = f(A)·Bᵀ ('abt': A M×K, B N×K) or f(A)ᵀ·f(B) ('atb': A K×M, B K×N), rows strided. */
export interface GemmCall {
  readonly kind: 'abt' | 'atb';
  readonly A: FloatData;
  readonly aOff: number;
  readonly lda: number;
  readonly B: FloatData;
  readonly bOff: number;
  readonly ldb: number;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  /** Row stride of C, which the epilogue's addends share. */
  readonly ldc: number;
  readonly epilogue?: Epilogue;
}

/** `rows × cols` floats starting at `off`, row stride `ld`, as a dense float64 array. */
function dense(data: FloatData, off: number, ld: number, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = data[off + r * ld + c];
  return out;
}

/**
 * The product and epilogue of `call` computed by `evaluateReference` in
 * float64, as a dense M×N array.
 *
 * @example
 * ```ts
 * const want = await referenceGemm({ kind: 'abt', A, aOff: 0, lda: K, B, bOff: 0, ldb: K, M, N, K, ldc: N });
 * ```
 */
export async function referenceGemm(call: GemmCall): Promise<Float64Array> {
  const { kind, M, N, K, ldc } = call;
  const ep = call.epilogue ?? {};
  const b = new GraphBuilder('float64');
  const aShape = kind === 'abt' ? [M, K] : [K, M];
  const bShape = kind === 'abt' ? [N, K] : [K, N];
  const a = b.input('a', aShape);
  const bb = b.input('b', bShape);
  const fa = ep.reluA ? relu(a) : a;
  const fb = ep.reluB ? relu(bb) : bb;
  let y: NodeRef = kind === 'abt' ? matMul(fa, fb, false, true) : matMul(fa, fb, true, false);
  const feeds: Record<string, { dtype: 'float64'; shape: number[]; data: Float64Array }> = {
    a: { dtype: 'float64', shape: aShape, data: dense(call.A, call.aOff, call.lda, aShape[0], aShape[1]) },
    b: { dtype: 'float64', shape: bShape, data: dense(call.B, call.bOff, call.ldb, bShape[0], bShape[1]) },
  };
  if (ep.colBias) {
    y = add(y, b.input('colBias', [N]));
    feeds.colBias = { dtype: 'float64', shape: [N], data: dense(ep.colBias.data, ep.colBias.off, N, 1, N) };
  }
  if (ep.rowBias) {
    y = add(y, reshape(b.input('rowBias', [M]), [M, 1]));
    feeds.rowBias = { dtype: 'float64', shape: [M], data: dense(ep.rowBias.data, ep.rowBias.off, M, 1, M) };
  }
  (ep.addends ?? []).forEach((addend, i) => {
    y = add(y, b.input(`addend${i}`, [M, N]));
    feeds[`addend${i}`] = { dtype: 'float64', shape: [M, N], data: dense(addend.data, addend.off, ldc, M, N) };
  });
  b.output('c', y);
  return (await evaluateReference(b.build(), feeds)).c.data as Float64Array;
}

/**
 * Expects C (at `cOff`, row stride `ldc`) within float32 rounding of the
 * float64 product `want`: |c − want| ≤ 2e-6·√K·(1 + |want|), the bound the
 * float32 kernels' tests use (error grows like √K for random operands).
 */
export function expectNearReference(C: FloatData, cOff: number, ldc: number, want: Float64Array, M: number, N: number, K: number, what = 'C'): void {
  const scale = 2e-6 * Math.sqrt(Math.max(K, 1));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      const e = want[i * N + j];
      const err = Math.abs(C[cOff + i * ldc + j] - e) / (1 + Math.abs(e));
      if (!(err <= worst)) [worst, at] = [err, i * N + j];
    }
  expect(worst, `${what}: worst relative error ${worst} at element ${at}, bound ${scale}`).toBeLessThanOrEqual(scale);
}
