import { describe, expect, it } from 'vitest';
import { seededRandom } from '@sas/core';
import { applyEpilogue, storeRows } from '../lib/epilogue.js';
import { gemmABt, jsGemm } from '../lib/gemm.js';
import { heapEpilogue } from './heap-epilogue.js';
import { gemmModuleBytes } from './gemm-kernel.js';
import { WasmGemm } from './engine.js';
import { WasmRuntime, wasmSimdAvailable } from './runtime.js';
import { sleb, uleb } from './assembler.js';
import { expectNearReference, referenceGemm } from '../test/reference-gemm.js';

function random(n: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => 2 * r() - 1);
}

describe('wasm assembler', () => {
  it('encodes LEB128 as the spec does', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
  });

  it('produces a module the runtime validates', () => {
    expect(WebAssembly.validate(gemmModuleBytes())).toBe(true);
    expect(wasmSimdAvailable()).toBe(true);
  });
});

describe('WasmGemm.abt matches the JS loops and the float64 reference', () => {
  // M, N, K off the 2×4×4 tile; K·N past one 64K-float panel; M past one row chunk; K = 1.
  const SHAPES: [number, number, number][] = [
    [1, 1, 1],
    [2, 4, 4],
    [3, 5, 7],
    [17, 33, 9],
    [64, 300, 250],
    [700, 10, 100],
    [5, 3, 1],
    // Long K (blocked along K, summed with gemm_acc): ragged tiles and a ragged last K block.
    [67, 70, 5000],
    [3, 130, 2049],
  ];
  for (const [m, n, k] of SHAPES) {
    it(`M=${m} N=${n} K=${k}, with strided operands and an offset C`, async () => {
      const lda = k + 3;
      const ldb = k + 1;
      const ldc = n + 2;
      const A = random(5 + m * lda, m);
      const B = random(2 + n * ldb, n + 100);
      const ours = new Float32Array(7 + m * ldc).fill(42);
      const ref = ours.slice();
      new WasmGemm(undefined, 0).abt(A, 5, lda, B, 2, ldb, ours, 7, ldc, m, n, k);
      gemmABt(A, 5, lda, B, 2, ldb, ref, 7, ldc, m, n, k);
      for (let i = 0; i < ref.length; i++) expect(Math.abs(ours[i] - ref[i]), `C[${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(ref[i])));
      // Both engines could share a mistake: the float64 reference is the oracle.
      const want = await referenceGemm({ kind: 'abt', A, aOff: 5, lda, B, bOff: 2, ldb, M: m, N: n, K: k, ldc });
      expectNearReference(ours, 7, ldc, want, m, n, k, 'wasm');
      expectNearReference(ref, 7, ldc, want, m, n, k, 'js');
      // Padding columns of C (and the offset) are untouched.
      expect(ours[0]).toBe(42);
      if (n + 2 <= ldc && m > 0) expect(ours[7 + n]).toBe(42);
    });
  }

  it('applies the epilogue per column panel on the long-K path (biases and addends line up)', async () => {
    const [m, n, k] = [70, 131, 3000];
    const A = random(m * k, 4);
    const B = random(n * k, 5);
    const ep = { colBias: { data: random(n + 3, 6), off: 3 }, addends: [{ data: random(m * n, 7), off: 0 }] };
    const ours = new Float32Array(m * n);
    const ref = new Float32Array(m * n);
    new WasmGemm(undefined, 0).abt(A, 0, k, B, 0, k, ours, 0, n, m, n, k, ep);
    jsGemm.abt(A, 0, k, B, 0, k, ref, 0, n, m, n, k, ep);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(ours[i] - ref[i]), `C[${i}]`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(ref[i])));
    const want = await referenceGemm({ kind: 'abt', A, aOff: 0, lda: k, B, bOff: 0, ldb: k, M: m, N: n, K: k, ldc: n, epilogue: ep });
    expectNearReference(ours, 0, n, want, m, n, k, 'wasm');
  });

  // The epilogue is added in the heap (heap-epilogue.ts); the JS store (storeRows) and jsGemm's applyEpilogue add
  // the same terms in the same order with float32 rounding after each, so all three must agree bit for bit.
  for (const [m, n, k] of [
    [37, 70, 20],
    [70, 131, 3000],
  ] as [number, number, number][]) {
    it(`the heap epilogue gives the bits of the JS epilogue: M=${m} N=${n} K=${k}, row and column bias, two addends, strided C`, () => {
      const ldc = n + 5;
      const A = random(m * k, 11);
      const B = random(n * k, 12);
      const ep = {
        rowBias: { data: random(m + 2, 13), off: 2 },
        colBias: { data: random(n + 3, 14), off: 3 },
        addends: [
          { data: random(1 + m * ldc, 15), off: 1 },
          { data: random(m * ldc, 16), off: 0 },
        ],
      };
      const fused = new Float32Array(m * ldc).fill(7);
      new WasmGemm(undefined, 0).abt(A, 0, k, B, 0, k, fused, 0, ldc, m, n, k, ep);
      // The same product with no epilogue, then the epilogue added on float32 C by the JS helper.
      const plain = new Float32Array(m * ldc).fill(7);
      new WasmGemm(undefined, 0).abt(A, 0, k, B, 0, k, plain, 0, ldc, m, n, k);
      applyEpilogue(plain, 0, ldc, 0, m, n, ep);
      expect(Buffer.from(fused.buffer).equals(Buffer.from(plain.buffer))).toBe(true);
      // …and the JS store with the epilogue, from the product rows.
      const viaStore = new Float32Array(m * ldc).fill(7);
      const product = new Float32Array(m * ldc);
      new WasmGemm(undefined, 0).abt(A, 0, k, B, 0, k, product, 0, ldc, m, n, k);
      storeRows(product, 0, ldc, viaStore, 0, ldc, 0, m, n, ep);
      expect(Buffer.from(viaStore.buffer).equals(Buffer.from(fused.buffer))).toBe(true);
      expect(fused[n]).toBe(7); // padding columns untouched
    });
  }

  it('heapEpilogue declines float64 operands and changes nothing (the caller applies them in JS)', () => {
    const rt = new WasmRuntime();
    const heap = rt.reserve(64);
    heap.set([1, 2, 3, 4]);
    expect(heapEpilogue(rt, 0, 4, 1, 4, 4, { colBias: { data: Float64Array.of(1, 1, 1, 1), off: 0 } }, 0, 4, 16)).toBe(false);
    expect([...heap.subarray(0, 4)]).toEqual([1, 2, 3, 4]);
    expect(heapEpilogue(rt, 0, 4, 1, 4, 4, { colBias: { data: Float32Array.of(10, 20, 30, 40), off: 0 } }, 0, 4, 16)).toBe(true);
    expect([...heap.subarray(0, 4)]).toEqual([11, 22, 33, 44]);
  });

  it('reuses its heap across calls of different sizes without stale padding leaking in', async () => {
    const engine = new WasmGemm(undefined, 0);
    const big = random(64 * 64, 1);
    engine.abt(big, 0, 64, big, 0, 64, new Float32Array(64 * 64), 0, 64, 64, 64, 64);
    const A = random(3 * 5, 2);
    const B = random(6 * 5, 3);
    const ours = new Float32Array(18);
    const ref = new Float32Array(18);
    engine.abt(A, 0, 5, B, 0, 5, ours, 0, 6, 3, 6, 5);
    gemmABt(A, 0, 5, B, 0, 5, ref, 0, 6, 3, 6, 5);
    for (let i = 0; i < 18; i++) expect(ours[i]).toBeCloseTo(ref[i], 5);
    expectNearReference(ours, 0, 6, await referenceGemm({ kind: 'abt', A, aOff: 0, lda: 5, B, bOff: 0, ldb: 5, M: 3, N: 6, K: 5, ldc: 6 }), 3, 6, 5);
  });

  it('sends float64, tiny and empty products to the JS loops', () => {
    const engine = new WasmGemm();
    const c = new Float64Array(1);
    engine.abt(Float64Array.of(1, 2), 0, 2, Float64Array.of(3, 4), 0, 2, c, 0, 1, 1, 1, 2);
    expect(c[0]).toBe(11);
    const z = Float32Array.of(5, 5, 5, 5);
    new WasmGemm(undefined, 0).abt(new Float32Array(0), 0, 0, new Float32Array(0), 0, 0, z, 0, 2, 2, 2, 0);
    expect([...z]).toEqual([0, 0, 0, 0]);
    expect(jsGemm.name).toBe('js');
    expect(engine.name).toBe('wasm-simd');
  });
});

describe('WasmRuntime kernels', () => {
  it('softmax_grad_rows: p·(dp − d)·scale per row, with results below 2^-100 stored as 0 (no subnormal products later)', () => {
    const rt = new WasmRuntime();
    const heap = rt.reserve(32);
    const p = [0.5, 1e-20, 0.25, 0, 0.1, 0.2, 0.3, 0.4];
    const dp = [1, 1e-20, -2, 5, 3, 1, 0, 2];
    heap.set(p, 0);
    heap.set(dp, 8);
    heap.set([0.5, 1], 16); // d per row
    rt.softmaxGradRows(0, 8 * 4, 16 * 4, 2, 4, 16, 2);
    const got = rt.heap.subarray(0, 8);
    p.forEach((v, i) => {
      const want = Math.fround(v) * (Math.fround(dp[i]) - [0.5, 1][i >> 2]) * 2;
      expect(Math.abs(got[i] - want), `entry ${i}`).toBeLessThanOrEqual(1e-6 * Math.abs(want));
    });
    // A result of 2e-35 (below 2^-100) is stored as 0.
    heap.set([1e-35, 1, 1, 1], 0);
    heap.set([1, 1, 1, 1], 8);
    heap.set([0], 16);
    rt.softmaxGradRows(0, 8 * 4, 16 * 4, 1, 4, 16, 1);
    expect(rt.heap[0]).toBe(0);
    expect(rt.heap[1]).toBe(1);
  });

  it('gemm_atb adds Aᵀ·B into C (A [K×M], B [K×N] row-major, strided), for K from 1 up', () => {
    const rt = new WasmRuntime();
    for (const [m, n, k] of [
      [4, 8, 1],
      [8, 16, 5],
      [12, 24, 37],
    ]) {
      const [lda, ldb, ldc] = [m + 4, n + 8, n + 8];
      const A = random(k * lda, m);
      const B = random(k * ldb, n);
      const C0 = random(m * ldc, k);
      const heap = rt.reserve(k * lda + k * ldb + m * ldc);
      heap.set(A, 0);
      heap.set(B, k * lda);
      heap.set(C0, k * lda + k * ldb);
      rt.gemmAtB(0, k * lda * 4, (k * lda + k * ldb) * 4, m, n, k, lda * 4, ldb * 4, ldc * 4);
      const C = rt.heap.subarray(k * lda + k * ldb, k * lda + k * ldb + m * ldc);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < ldc; j++) {
          let want = C0[i * ldc + j];
          if (j < n) for (let p = 0; p < k; p++) want += A[p * lda + i] * B[p * ldb + j];
          expect(Math.abs(C[i * ldc + j] - want), `M=${m} N=${n} K=${k} C[${i},${j}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want)));
        }
    }
  });

  it('relu matches the reference select: negatives to 0, NaN and -0 kept, only n floats touched', () => {
    const rt = new WasmRuntime();
    const heap = rt.reserve(12);
    heap.set([-1, -0, NaN, 2, -3, 4, -Infinity, Infinity, -5, -6, -7, -8]);
    rt.reluInPlace(0, 8);
    const out = [...rt.heap.subarray(0, 12)];
    expect(out.slice(0, 8)).toEqual([0, -0, NaN, 2, 0, 4, 0, Infinity]);
    expect(Object.is(out[1], -0)).toBe(true);
    expect(out.slice(8)).toEqual([-5, -6, -7, -8]);
    rt.reluInPlace(0, 0);
  });

  it('softmax_rows: causal widths, masked tails zeroed, exp accurate to float32', () => {
    const rt = new WasmRuntime();
    const ld = 12;
    const rows = 4;
    const heap = rt.reserve(rows * ld);
    const src = random(rows * ld, 9).map((v) => v * 30);
    heap.set(src);
    rt.softmaxRows(0, rows, ld * 4, 3, 2, 10, 0.7); // valid = min(3 + 2r, 10)
    for (let r = 0; r < rows; r++) {
      const valid = Math.min(3 + 2 * r, 10);
      const x = Array.from(src.subarray(r * ld, r * ld + valid), (v) => Math.fround(v * Math.fround(0.7)));
      const m = Math.max(...x);
      const e = x.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < ld; j++) {
        const want = j < valid ? e[j] / s : 0;
        expect(Math.abs(rt.heap[r * ld + j] - want), `row ${r} col ${j}`).toBeLessThan(1e-6);
      }
    }
  });
});
