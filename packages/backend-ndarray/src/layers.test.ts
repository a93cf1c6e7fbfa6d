import { describe, expect, it } from 'vitest';
import {
  buildLayer,
  castTensor,
  evaluateReference,
  grad,
  initParams,
  randomNormal,
  withCotangentLoss,
  layerParams,
  type DType,
  type LayerConfig,
  type Tensor,
} from '@sas/core';
import { createNdarrayBackend } from './index.js';
import { NDARRAY_FLOAT64_TOLERANCE, NDARRAY_TOLERANCE } from './tolerance.js';
import { loadCases } from './test/fixtures.js';
import { expectClose } from './test/helpers.js';

const cases = loadCases();

describe("layers against the authors' fixtures (local loader)", () => {
  it('found the fixture cases', () => {
    // The 11 bundled with @sas/conformance; sas-paper-head ships apart and runs in conformance.test.ts.
    expect(cases.length).toBe(11);
    expect(new Set(cases.map((c) => c.config.kind))).toEqual(new Set(['sas', 'mha', 'gqa', 'mqa']));
  });
  for (const dtype of ['float32', 'float64'] as DType[]) {
    const tol = dtype === 'float32' ? NDARRAY_TOLERANCE : NDARRAY_FLOAT64_TOLERANCE;
    for (const c of cases) {
      it(`${c.name} ${dtype}: output and every trace`, async () => {
        const graph = buildLayer(c.config, { dtype });
        const feeds = Object.fromEntries(Object.entries(c.feeds).map(([k, t]) => [k, castTensor(t, dtype)]));
        const out = await createNdarrayBackend().run(graph, feeds);
        expect(Object.keys(c.expected)).toContain('output');
        for (const [name, expected] of Object.entries(c.expected)) {
          expectClose(out[name], castTensor(expected, dtype), tol.atol, tol.rtol, `${c.name} ${name}`);
        }
      });
    }
  }
});

// Random layers at shapes the fixtures lack: T not a multiple of any block
// size, bidirectional, k = 5, D' < D, grouped kv heads.
const RANDOM: LayerConfig[] = [
  { kind: 'sas', batch: 2, seqLen: 37, heads: 3, headDim: 8, simHeads: 6, simHeadDim: 12, kernelSize: 3, causal: true },
  { kind: 'sas', batch: 1, seqLen: 70, heads: 2, headDim: 16, simHeads: 4, simHeadDim: 8, kernelSize: 5, causal: false },
  { kind: 'sas', batch: 1, seqLen: 1, heads: 1, headDim: 3, simHeads: 2, simHeadDim: 5, kernelSize: 1, causal: true },
  { kind: 'gqa', batch: 2, seqLen: 19, heads: 4, headDim: 8, kvHeads: 2, causal: true },
  { kind: 'mqa', batch: 1, seqLen: 65, heads: 4, headDim: 4, kvHeads: 1, causal: false },
];

function randomFeeds(config: LayerConfig, dtype: DType, seed: number): Record<string, Tensor> {
  const kv = config.kind === 'sas' ? config.heads : config.kvHeads;
  return {
    query: randomNormal([config.batch, config.seqLen, config.heads, config.headDim], seed, dtype),
    key: randomNormal([config.batch, config.seqLen, kv, config.headDim], seed + 1, dtype),
    value: randomNormal([config.batch, config.seqLen, kv, config.headDim], seed + 2, dtype),
    ...initParams(config, seed + 3, dtype),
  };
}

describe('random layers against the reference interpreter', () => {
  for (const [i, config] of RANDOM.entries()) {
    const label = `${config.kind} B=${config.batch} T=${config.seqLen} ${config.causal ? 'causal' : 'bidirectional'}`;
    it(`${label}: forward, float32`, async () => {
      const graph = buildLayer(config, { dtype: 'float32' });
      const feeds = randomFeeds(config, 'float32', 10 * i + 1);
      const [ours, ref] = await Promise.all([createNdarrayBackend().run(graph, feeds), evaluateReference(graph, feeds)]);
      for (const name of Object.keys(graph.outputs)) expectClose(ours[name], ref[name], NDARRAY_TOLERANCE.atol, NDARRAY_TOLERANCE.rtol, `${label} ${name}`);
    });
    it(`${label}: gradients of Σ output·R, float64`, async () => {
      const layer = buildLayer(config, { dtype: 'float64' });
      const wrt = ['query', 'key', 'value', ...layerParams(config).map((p) => p.name)];
      const graph = grad(withCotangentLoss(layer, 'output'), 'loss', { wrt });
      const feeds = { ...randomFeeds(config, 'float64', 10 * i + 5), cotangent: randomNormal(layer.nodes[layer.outputs.output].shape, 99, 'float64') };
      const [ours, ref] = await Promise.all([createNdarrayBackend().run(graph, feeds), evaluateReference(graph, feeds)]);
      const names = Object.keys(graph.outputs).filter((n) => n.startsWith('grad.'));
      expect(names.length).toBe(wrt.length);
      for (const name of names) expectClose(ours[name], ref[name], 1e-9, 1e-9, `${label} ${name}`);
    });
  }
});
