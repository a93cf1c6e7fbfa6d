import { GraphBuilder, matMul, softmax, causalMask, mul, transpose, add, exp } from '@sas/core';
import { describe, expect, it } from 'vitest';
import { compareWithReference, createGpujsBackend, randomTensor } from './test/harness.js';

describe('smoke', () => {
  for (const mode of ['cpu', 'webasm', 'headlessgl']) {
    it(mode, async () => {
      const backend = await createGpujsBackend({ mode });
      const b = new GraphBuilder('float32');
      const q = b.input('q', [2, 5, 3, 4]);
      const k = b.input('k', [2, 5, 3, 4]);
      const v = b.input('v', [2, 5, 3, 4]);
      const t = (x: any) => transpose(x, [0, 2, 1, 3]);
      const s = softmax(causalMask(mul(matMul(t(q), t(k), false, true), 0.5)));
      b.output('a', transpose(matMul(s, t(v)), [0, 2, 1, 3]));
      b.output('e', exp(add(q, 1)));
      const g = b.build();
      const feeds = { q: randomTensor([2, 5, 3, 4], 1), k: randomTensor([2, 5, 3, 4], 2), v: randomTensor([2, 5, 3, 4], 3) };
      const r = await compareWithReference(backend, g, feeds, 1e-4, 1e-4);
      console.log(mode, r, backend.stats());
      await backend.dispose();
      expect(Math.max(...Object.values(r))).toBeLessThanOrEqual(0);
    });
  }
});
