// The char GPT of MODEL.md on gpu.js in every Node mode (headlessgl only with
// a display): the shared model suite against the PyTorch float64 fixtures
// (forward, every gradient, two AdamW steps) at gpujsModelTolerance, and the
// tiny model's loss falling under training.
import { trainTinyModel } from '@sas/conformance';
import { describeModelConformance, describeModelTraining } from '@sas/conformance/vitest';
import { expect, it } from 'vitest';
import { gpujsProvider } from './provider.js';
import { createGpujsBackend, modeSkipReason, TEST_MODES } from './test/harness.js';

for (const mode of TEST_MODES) {
  const reason = await modeSkipReason(mode);
  if (reason) {
    it.skip(`model conformance and training: gpujs (${mode}) (skipped: ${reason})`, () => {});
    continue;
  }
  describeModelConformance(gpujsProvider, { mode });
  describeModelTraining(gpujsProvider, { mode });

  it(`gpujs ${mode}: training steps hold no storage between runs, and a second run compiles no kernel`, { timeout: 300_000 }, async () => {
    const backend = await createGpujsBackend({ mode });
    await trainTinyModel(backend, { steps: 2 });
    const afterOne = backend.stats();
    await trainTinyModel(backend, { steps: 2 });
    const afterTwo = backend.stats();
    expect(afterOne).toMatchObject({ storages: 0, handles: 0 });
    expect(afterTwo).toMatchObject({ storages: 0, handles: 0, kernels: afterOne.kernels, gpujsKernels: afterOne.gpujsKernels });
    expect(afterTwo.glTextures).toBeLessThanOrEqual(afterOne.glTextures);
    await backend.dispose();
    expect(backend.stats()).toMatchObject({ kernels: 0, gpujsKernels: 0, storages: 0, glTextures: 0 });
  });
}
