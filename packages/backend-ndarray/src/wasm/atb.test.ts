import { describe, expect, it } from 'vitest';
import { randomNormal } from '@sas/core';
import { ThreadedGemm } from '../threads/gemm.js';
import { ThreadPool } from '../threads/pool.js';
import { shared, sharedFloat32 } from '../threads/shared.js';
import { wasmAtb } from './atb.js';
import { WasmGemm } from './engine.js';
import { WasmRuntime } from './runtime.js';

const rand = (n: number, seed: number) => Float32Array.from(randomNormal([n], seed).data);

/** C = Aᵀ·B in float64 from the float32 operands, relu on A when asked: the oracle. */
function atbF64(
  A: Float32Array,
  aOff: number,
  lda: number,
  B: Float32Array,
  bOff: number,
  ldb: number,
  M: number,
  N: number,
  K: number,
  relu: boolean,
  reluB = false,
): Float64Array {
  const c = new Float64Array(M * N);
  for (let p = 0; p < K; p++) {
    for (let i = 0; i < M; i++) {
      const a0 = A[aOff + p * lda + i];
      const a = relu && a0 < 0 ? 0 : a0;
      for (let j = 0; j < N; j++) {
        const b = B[bOff + p * ldb + j];
        c[i * N + j] += a * (reluB && b < 0 ? 0 : b);
      }
    }
  }
  return c;
}

describe('wasmAtb: C = Aᵀ·B without transposing', () => {
  // Odd M and N (padding of the 4×8 tile), K under, at and over one 64-row block, strides and offsets.
  for (const [M, N, K] of [
    [5, 11, 3],
    [128, 64, 64],
    [37, 19, 1000],
    [300, 270, 250],
  ]) {
    for (const [relu, reluB] of [
      [false, false],
      [true, false],
      [false, true],
    ]) {
      it(`M=${M} N=${N} K=${K}${relu ? ', relu on A' : ''}${reluB ? ', relu on B' : ''}: within float32 rounding of the float64 product`, () => {
        const lda = M + 3;
        const ldb = N + 1;
        const ldc = N + 2;
        const A = rand(K * lda + 2, 1);
        const B = rand(K * ldb + 1, 2);
        const C = new Float32Array(M * ldc + 4).fill(7);
        wasmAtb(new WasmRuntime(), A, 2, lda, B, 1, ldb, C, 4, ldc, M, N, K, relu, reluB);
        const want = atbF64(A, 2, lda, B, 1, ldb, M, N, K, relu, reluB);
        let worst = 0;
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            // Error bound relative to the size of the terms (√K·‖a‖‖b‖ scale), not to a cancelling result.
            worst = Math.max(worst, Math.abs(C[4 + i * ldc + j] - want[i * N + j]) / Math.sqrt(K));
          }
          // Padding between rows of C untouched.
          expect(C[4 + i * ldc + N]).toBe(7);
        }
        expect(worst).toBeLessThan(2e-6);
        expect(C[0]).toBe(7);
      });
    }
  }

  it('K = 0 gives zeros', () => {
    const C = new Float32Array(6).fill(3);
    wasmAtb(new WasmRuntime(), new Float32Array(0), 0, 2, new Float32Array(0), 0, 3, C, 0, 3, 2, 3, 0, false);
    expect([...C]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('threaded atb: identical to one thread, and within rounding of the float64 product', () => {
  const cases = [
    { name: 'split by columns, C shared', M: 64, N: 200, K: 700, sharedC: true },
    { name: 'split by rows, C not shared (staged)', M: 203, N: 40, K: 700, sharedC: false },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const pool = new ThreadPool(2);
      const { M, N, K } = c;
      const A = rand(K * M, 3);
      const B = shared(rand(K * N, 4));
      const ldc = N + 1;
      const want = new Float32Array(M * ldc);
      new WasmGemm(undefined, 0).atb(A, 0, M, B, 0, N, want, 0, ldc, M, N, K, true, true);
      const got = c.sharedC ? sharedFloat32(M * ldc) : new Float32Array(M * ldc);
      new ThreadedGemm(new WasmGemm(undefined, 0), pool, 0).atb(A, 0, M, B, 0, N, got, 0, ldc, M, N, K, true, true);
      expect(Array.from(got)).toEqual(Array.from(want));
      // Identical could mean identically wrong: the float64 product (relu on both operands) is the oracle.
      const exact = atbF64(A, 0, M, B, 0, N, M, N, K, true, true);
      let worst = 0;
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) worst = Math.max(worst, Math.abs(want[i * ldc + j] - exact[i * N + j]) / Math.sqrt(K));
      expect(worst).toBeLessThan(2e-6);
      expect(exact.some((v) => v !== 0)).toBe(true);
      await pool.dispose();
    }, 30_000);
  }
});
