import { broadcastTo, evaluateReference, exp, GraphBuilder, sqrt, tensor } from '@sas/core';
import { runConformance } from '@sas/conformance';
import { describe, expect, it } from 'vitest';
import { createGpujsBackend } from './backend.js';
import { gpujsTolerance } from './tolerance.js';
import { modeSkipReason, TEST_MODES } from './test/harness.js';

// Resource hygiene: kernels are made once per (op, shapes, attributes) and
// cached; every intermediate storage (texture in GL) is released after its
// last use; dispose() destroys kernels and the gpu.js instance.
for (const mode of TEST_MODES) {
  const reason = await modeSkipReason(mode);
  describe(`gpujs ${mode}: resources`, () => {
    if (reason) {
      it.skip(`resource counts (skipped: ${reason})`, () => {});
      return;
    }

    it('running the conformance suite twice leaves no more live kernels or textures than once', { timeout: 300_000 }, async () => {
      const backend = await createGpujsBackend({ mode });
      const options = { tolerance: gpujsTolerance(mode), grads: true, cases: ['sas-tiny', 'sas-odd', 'gqa-small'] };
      const first = await runConformance(backend, options);
      const afterOne = backend.stats();
      const second = await runConformance(backend, options);
      const afterTwo = backend.stats();
      expect([first.passed, second.passed]).toEqual([true, true]);
      expect(afterOne.kernels).toBeGreaterThan(0);
      expect(afterOne.storages).toBe(0);
      expect(afterOne.handles).toBe(0);
      expect(afterTwo.storages).toBe(0);
      expect(afterTwo.handles).toBe(0);
      expect(afterTwo.kernels).toBe(afterOne.kernels);
      expect(afterTwo.gpujsKernels).toBe(afterOne.gpujsKernels);
      expect(afterTwo.glTextures).toBeLessThanOrEqual(afterOne.glTextures);
      await backend.dispose();
      expect(backend.stats()).toMatchObject({ kernels: 0, gpujsKernels: 0, storages: 0, glTextures: 0 });
    });

    it('a run holding a tensor past the 2^24-element limit is refused before any upload or kernel', async () => {
      const backend = await createGpujsBackend({ mode });
      const b = new GraphBuilder('float32');
      const x = exp(b.input('x', [4]));
      b.output('small', x);
      b.output('huge', exp(broadcastTo(x, [2 ** 22 + 1, 4]))); // over the 2^24-element addressing limit
      const feeds = { x: tensor([0, 1, 2, 3], [4], 'float32') };
      await expect(backend.run(b.build(), feeds)).rejects.toThrow(
        `backend 'gpujs' (${mode}): node 2 (BroadcastTo) of shape [4194305,4] has 16777220 elements, more than the 16777216 one tensor may hold here`,
      );
      // Refused by the preflight: nothing compiled, uploaded or held.
      expect(backend.stats()).toMatchObject({ kernels: 0, storages: 0, handles: 0 });
      const ok = await backend.run(b.build(), feeds, { outputs: ['small'] });
      expect(ok.small.data[1]).toBeCloseTo(Math.E, 5);
      expect(backend.stats()).toMatchObject({ storages: 0, handles: 0 });
      await backend.dispose();
    });

    it('a cached kernel fed its own output gives the reference numbers, run after run', async () => {
      const backend = await createGpujsBackend({ mode });
      const b = new GraphBuilder('float32');
      let y = b.input('x', [3, 5]);
      for (let i = 0; i < 4; i++) y = sqrt(y); // one Sqrt kernel, each call reading the previous call's output
      b.output('y', y);
      const g = b.build();
      const feeds = {
        x: tensor(
          Array.from({ length: 15 }, (_, i) => (i + 1) / 15),
          [3, 5],
          'float32',
        ),
      };
      const want = await evaluateReference(g, feeds);
      for (let run = 0; run < 3; run++) {
        const got = await backend.run(g, feeds);
        got.y.data.forEach((v, i) => expect(v).toBeCloseTo(want.y.data[i], 5));
      }
      expect(backend.stats()).toMatchObject({ storages: 0, kernels: mode === 'headlessgl' ? 2 : 1 });
      await backend.dispose();
    });
  });
}
