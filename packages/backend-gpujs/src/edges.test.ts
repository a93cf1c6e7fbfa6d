import { add, causalMask, exp, GraphBuilder, matMul, mul, reduceMax, reduceSum, reshape, softmax, tensor, transpose } from '@sas/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpujsBackend } from './backend.js';
import { gpujsTolerance } from './tolerance.js';
import { compareWithReference, createGpujsBackend, modeSkipReason, randomTensor, TEST_MODES } from './test/harness.js';

// Shapes at the edges of the index arithmetic and of the view machinery.
for (const mode of TEST_MODES) {
  const reason = await modeSkipReason(mode);
  describe(`gpujs ${mode}: edge cases`, () => {
    if (reason) {
      it.skip(`edge cases (skipped: ${reason})`, () => {});
      return;
    }
    let backend: GpujsBackend;
    beforeAll(async () => {
      backend = await createGpujsBackend({ mode });
    });
    afterAll(async () => {
      await backend?.dispose();
    });
    const { atol, rtol } = gpujsTolerance(mode);

    it('tensors past 2^20 elements index exactly (the float32 floor-division correction)', async () => {
      const b = new GraphBuilder('float32');
      const x = b.input('x', [3, 613, 617]); // 1.13M elements, awkward primes
      b.output('y', add(transpose(x, [2, 0, 1]), b.input('bias', [1, 613])));
      const feeds = { x: randomTensor([3, 613, 617], 1), bias: randomTensor([1, 613], 2) };
      expect((await compareWithReference(backend, b.build(), feeds, atol, rtol)).y).toBeLessThanOrEqual(0);
    });

    it('zero-size tensors: empty outputs, empty sums are 0 and empty maxima −∞', async () => {
      const b = new GraphBuilder('float32');
      const x = b.input('x', [0, 3]);
      b.output('e', exp(x));
      b.output('sum', reduceSum(x, [0]));
      b.output('max', reduceMax(x, [0]));
      const out = await backend.run(b.build(), { x: tensor([], [0, 3], 'float32') });
      expect(out.e.shape).toEqual([0, 3]);
      expect(Array.from(out.sum.data)).toEqual([0, 0, 0]);
      expect(Array.from(out.max.data)).toEqual([-Infinity, -Infinity, -Infinity]);
    });

    it('a masked view read by several consumers, downloaded, and reshaped', async () => {
      const b = new GraphBuilder('float32');
      const s = causalMask(b.input('s', [2, 4, 6]), 'neg-inf');
      b.output('masked', s);
      b.output('softmax', softmax(s));
      b.output('exp', exp(s));
      b.output('flat', reshape(s, [2, 24]));
      const feeds = { s: randomTensor([2, 4, 6], 3) };
      const excess = await compareWithReference(backend, b.build(), feeds, atol, rtol);
      expect(
        Object.values(excess).every((e) => e <= 0),
        JSON.stringify(excess),
      ).toBe(true);
    });

    it('attention runs as 2 matmuls and a 2-pass softmax: transposes, scale and mask are folded into reads', async () => {
      const fresh = await createGpujsBackend({ mode });
      const b = new GraphBuilder('float32');
      const [q, k, v] = ['q', 'k', 'v'].map((n) => transpose(b.input(n, [2, 7, 3, 5]), [0, 2, 1, 3]));
      const p = softmax(causalMask(mul(matMul(q, k, false, true), 0.3), 'neg-inf'));
      b.output('a', transpose(matMul(p, v), [0, 2, 1, 3]));
      const feeds = { q: randomTensor([2, 7, 3, 5], 4), k: randomTensor([2, 7, 3, 5], 5), v: randomTensor([2, 7, 3, 5], 6) };
      expect((await compareWithReference(fresh, b.build(), feeds, atol, rtol)).a).toBeLessThanOrEqual(0);
      // QKᵀ, softmax statistics, softmax, PV, and the copy that downloads the transposed result
      // (plus, in GL, upload kernels for the three [2,7,3,5] inputs and for the scalar constant).
      // No Transpose, Mul or mask pass.
      expect(fresh.stats()).toMatchObject({ kernels: mode === 'headlessgl' ? 7 : 5, storages: 0 });
      await fresh.dispose();
    });
  });
}
