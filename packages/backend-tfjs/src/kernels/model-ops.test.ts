// The model's ops (Gather, ScatterAdd, LayerNorm, LayerNormGrad, Tanh,
// CrossEntropy) as tfjs kernels, on cpu and wasm: the shared model-op suite
// (each op against its float64 definition, computed ids against the
// primitive decomposition), at the same 1e-5 the primitive kernels are held
// to; the kernels are what the backend runs (no decomposition); no tensor
// outlives a run.
import * as tf from '@tensorflow/tfjs-core';
import { modelOpCases, runModelOpCase } from '@sas/conformance';
import { describeModelOps } from '@sas/conformance/vitest';
import { buildModel, buildTrainingStep, COMPOSITE_OP_NAMES, createReferenceBackend, kernelFor, lowerGraph } from '@sas/core';
import { describe, expect, it } from 'vitest';
import { createTfjsBackend } from '../backend.js';
import { tfjsProvider } from '../provider.js';
import { NODE_TEST_MODES } from '../test-support/modes.js';
import { TFJS_KERNELS } from './index.js';

const KERNEL_TOLERANCE = { atol: 1e-5, rtol: 1e-5 };

for (const mode of NODE_TEST_MODES) describeModelOps(tfjsProvider, { mode, tolerance: KERNEL_TOLERANCE });

describe('the model ops run as tfjs kernels', () => {
  it('has a kernel for every composite but the attention pair', () => {
    expect(COMPOSITE_OP_NAMES.filter((op) => kernelFor(TFJS_KERNELS, op) === undefined)).toEqual(['Attention', 'AttentionGrad']);
  });

  it("a model's training step keeps its model ops through lowering (no one-hot products)", () => {
    const config = { vocab: 13, width: 16, layers: 1, heads: 2, maxSeqLen: 12, attention: { kind: 'mha' } } as const;
    const step = buildTrainingStep(buildModel(config, { batch: 2, seqLen: 8 }), 'loss', { kind: 'adamw', lr: 1e-3 });
    const lowered = lowerGraph(step, (op) => kernelFor(TFJS_KERNELS, op) !== undefined, 'tfjs');
    const count = (op: string) => lowered.nodes.filter((n) => n.op === op).length;
    expect([count('Gather'), count('ScatterAdd'), count('LayerNorm'), count('LayerNormGrad'), count('Tanh'), count('CrossEntropy')]).toEqual([
      2, 2, 3, 6, 1, 1,
    ]);
  });
});

describe.each(NODE_TEST_MODES)('model ops on tfjs %s release every tensor', (mode) => {
  it('every model-op case leaves tf.memory().numTensors where it was', async () => {
    const backend = await createTfjsBackend({ mode });
    const reference = createReferenceBackend();
    const cases = modelOpCases();
    await runModelOpCase(backend, cases[0], KERNEL_TOLERANCE, reference); // tfjs allocates its own state on first use
    const start = tf.memory().numTensors;
    for (const c of cases) await runModelOpCase(backend, c, KERNEL_TOLERANCE, reference);
    expect(tf.memory().numTensors).toBe(start);
    expect(backend.liveHandles()).toBe(0);
  });
});
