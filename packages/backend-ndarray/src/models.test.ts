// The char GPT of MODEL.md on the ndarray backend, held to the PyTorch
// float64 fixtures: forward, every gradient, two AdamW steps (the shared
// model suite at NDARRAY_MODEL_TOLERANCE), the same in float64 at the
// reference's bounds, and the training-step graph running as built: no
// decomposition, every attention on the fused kernels.
import { runModelConformance, formatModelReport } from '@sas/conformance';
import { describeModelConformance } from '@sas/conformance/vitest';
import { buildModel, buildTrainingStep, frozenParams, kernelFor, lowerGraph, type ModelConfig } from '@sas/core';
import { describe, expect, it } from 'vitest';
import { planFusion } from './fusion/plan.js';
import { createNdarrayBackend, NDARRAY_KERNELS, ndarrayProvider } from './index.js';
import { NDARRAY_FLOAT64_TOLERANCE } from './tolerance.js';

describeModelConformance(ndarrayProvider, { mode: 'cpu' });

it('model conformance in float64: every case at 1e-9 (forward) and 1e-8 (gradients, steps)', async () => {
  const report = await runModelConformance(createNdarrayBackend(), { tolerance: NDARRAY_FLOAT64_TOLERANCE, dtype: 'float64' });
  expect(report.passed, formatModelReport(report)).toBe(true);
  expect(report.cases.length).toBe(6);
});

describe('the training step of the char GPT at the benchmark shape', () => {
  const sas: ModelConfig = {
    vocab: 84,
    width: 128,
    layers: 2,
    heads: 4,
    maxSeqLen: 128,
    attention: { kind: 'sas', simHeads: 8, simHeadDim: 64, kernelSize: 3 },
  };
  const mha: ModelConfig = { ...sas, attention: { kind: 'mha' } };
  for (const config of [sas, mha]) {
    it(`${config.attention.kind}: runs without decompositions, and its attention forward and backward are the fused kernels`, () => {
      const graph = buildTrainingStep(
        buildModel(config, { batch: 16, seqLen: 128 }),
        'loss',
        { kind: 'adamw', lr: 1e-3, clipNorm: 1 },
        { frozen: frozenParams(config) },
      );
      expect(lowerGraph(graph, (op) => kernelFor(NDARRAY_KERNELS, op) !== undefined, 'ndarray')).toBe(graph);
      const roles = planFusion(graph);
      const attention = graph.nodes.filter((n) => n.op === 'Attention');
      const grads = graph.nodes.filter((n) => n.op === 'AttentionGrad');
      expect(attention).toHaveLength(config.layers);
      expect(grads).toHaveLength(3 * config.layers);
      for (const n of attention) expect(roles.get(n)?.kind, `node ${n.id}`).toBe('attention');
      for (const n of grads) expect(roles.get(n)?.kind, `node ${n.id}`).toBe('attention-grad');
      expect(attention.every((n) => n.attrs.causal === true)).toBe(true);
    });
  }
});
