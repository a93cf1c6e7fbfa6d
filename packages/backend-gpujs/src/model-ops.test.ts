// The model's ops (Gather, ScatterAdd, LayerNorm, LayerNormGrad, Tanh,
// CrossEntropy) as gpu.js kernels in every Node mode (headlessgl only with a
// display): the shared model-op suite (each op against its float64
// definition, operands through transposed, flipped, scaled and reshaped
// views; computed ids against the primitive decomposition) at the mode's
// kernel tolerance; the kernels are what the backend runs; every case
// leaves no storage behind and a second pass compiles nothing new.
import { modelOpCases, runModelOpCase } from '@sas/conformance';
import { describeModelOps } from '@sas/conformance/vitest';
import { buildModel, buildTrainingStep, COMPOSITE_OP_NAMES, createReferenceBackend, kernelFor, lowerGraph } from '@sas/core';
import { describe, expect, it } from 'vitest';
import { gpujsProvider } from './provider.js';
import { GPU_KERNELS } from './kernels/index.js';
import { gpujsTolerance } from './tolerance.js';
import { createGpujsBackend, modeSkipReason, TEST_MODES } from './test/harness.js';

// The host modes compute IEEE float32 in the order written: held to 1e-5, as tfjs's kernels are; GL to its mode's 1e-3.
const KERNEL_TOLERANCE = { cpu: { atol: 1e-5, rtol: 1e-5 }, webasm: { atol: 1e-5, rtol: 1e-5 }, headlessgl: gpujsTolerance('headlessgl') };
const GL_NON_FINITE = 'GL drivers need not honour NaN and ±∞ (docs/backends/gpujs.md, Precision)';

for (const mode of TEST_MODES) {
  const reason = await modeSkipReason(mode);
  if (reason) {
    it.skip(`model ops: gpujs (${mode}) (skipped: ${reason})`, () => {});
    continue;
  }
  describeModelOps(gpujsProvider, { mode, tolerance: KERNEL_TOLERANCE[mode], skipNonFinite: mode === 'headlessgl' ? GL_NON_FINITE : undefined });

  it(`gpujs ${mode}: the model-op cases release every storage, and a second pass compiles no kernel`, { timeout: 300_000 }, async () => {
    const backend = await createGpujsBackend({ mode });
    const reference = createReferenceBackend();
    const tolerance = gpujsTolerance(mode);
    const cases = modelOpCases().filter((c) => mode !== 'headlessgl' || !c.nonFinite);
    for (const c of cases) await runModelOpCase(backend, c, tolerance, reference);
    const afterOne = backend.stats();
    for (const c of cases) await runModelOpCase(backend, c, tolerance, reference);
    const afterTwo = backend.stats();
    expect(afterOne).toMatchObject({ storages: 0, handles: 0 });
    expect(afterTwo).toMatchObject({ storages: 0, handles: 0, kernels: afterOne.kernels, gpujsKernels: afterOne.gpujsKernels });
    expect(afterTwo.glTextures).toBeLessThanOrEqual(afterOne.glTextures);
    await backend.dispose();
    expect(backend.stats()).toMatchObject({ kernels: 0, gpujsKernels: 0, storages: 0, glTextures: 0 });
  });
}

describe('the model ops run as gpu.js kernels', () => {
  it('has a kernel for every composite but the attention pair', () => {
    expect(COMPOSITE_OP_NAMES.filter((op) => kernelFor(GPU_KERNELS, op) === undefined)).toEqual(['Attention', 'AttentionGrad']);
  });

  it("a model's training step keeps its model ops through lowering (no one-hot products)", () => {
    const config = { vocab: 13, width: 16, layers: 1, heads: 2, maxSeqLen: 12, attention: { kind: 'mha' } } as const;
    const step = buildTrainingStep(buildModel(config, { batch: 2, seqLen: 8 }), 'loss', { kind: 'adamw', lr: 1e-3 });
    const lowered = lowerGraph(step, (op) => kernelFor(GPU_KERNELS, op) !== undefined, 'gpujs');
    const count = (op: string) => lowered.nodes.filter((n) => n.op === op).length;
    expect(['Gather', 'ScatterAdd', 'LayerNorm', 'LayerNormGrad', 'Tanh', 'CrossEntropy'].map(count)).toEqual([2, 2, 3, 6, 1, 1]);
  });
});
