import { describe, expect, it } from 'vitest';
import { buildLayer, evaluateReference, GraphBuilder, add, conv1d, initParams, randomNormal } from '@sas/core';
import { createNdarrayBackend } from '../index.js';
import { expectClose } from '../test/helpers.js';
import { NDARRAY_TOLERANCE } from '../tolerance.js';
import { sharedCopyStats } from './shared.js';

describe('threaded Conv1d', () => {
  it('splits samples across two threads: bits equal one thread, and the reference agrees (bias and residual epilogue)', async () => {
    const b = new GraphBuilder('float32');
    const x = b.input('x', [512, 24, 64]);
    const w = b.param('w', [24, 24, 3]);
    const bias = b.param('bias', [24, 1]);
    const r = b.input('r', [512, 24, 64]);
    b.output('y', add(add(conv1d(x, w, 1), bias), r));
    const graph = b.build();
    const feeds = { x: randomNormal([512, 24, 64], 1), w: randomNormal([24, 24, 3], 2), bias: randomNormal([24, 1], 3), r: randomNormal([512, 24, 64], 4) };
    const one = createNdarrayBackend({ threads: 1 });
    const two = createNdarrayBackend({ threads: 2 });
    try {
      const before = sharedCopyStats().floats;
      const [a, c, ref] = await Promise.all([one.run(graph, feeds), two.run(graph, feeds), evaluateReference(graph, feeds)]);
      // The feeds (x, w, bias, r) had to be copied to shared memory: proof the threaded path ran.
      expect(sharedCopyStats().floats - before).toBeGreaterThanOrEqual(512 * 24 * 64);
      expect([...c.y.data]).toEqual([...a.y.data]);
      expectClose(c.y, ref.y, 1e-4, 1e-4, 'y');
    } finally {
      await Promise.all([one.dispose(), two.dispose()]);
    }
  });

  it('a SAS layer at T = 512 gives the same bits on one and two threads, within tolerance of the reference', async () => {
    const config = { kind: 'sas', batch: 1, seqLen: 512, heads: 12, headDim: 16, simHeads: 24, simHeadDim: 32, kernelSize: 3, causal: true } as const;
    const graph = buildLayer(config);
    const q = randomNormal([1, 512, 12, 16], 5);
    const feeds = { query: q, key: q, value: q, ...initParams(config, 6) };
    const one = createNdarrayBackend({ threads: 1 });
    const two = createNdarrayBackend({ threads: 2 });
    try {
      const [a, c, ref] = await Promise.all([one.run(graph, feeds), two.run(graph, feeds), evaluateReference(graph, feeds)]);
      expect([...c.output.data]).toEqual([...a.output.data]);
      expectClose(c.output, ref.output, NDARRAY_TOLERANCE.atol, NDARRAY_TOLERANCE.rtol, 'output');
    } finally {
      await Promise.all([one.dispose(), two.dispose()]);
    }
  });
});
