import * as tf from '@tensorflow/tfjs-core';
import { buildLayer, grad, layerParams, withCotangentLoss, type Tensor } from '@sas/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTfjsBackend, type TfjsBackend } from './backend.js';
import { TFJS_TOLERANCE } from './tolerance.js';
import { mismatches } from './test-support/compare.js';
import { fixtureNames, loadFixture } from './test-support/fixtures.js';
import { NODE_TEST_MODES } from './test-support/modes.js';

// The layers as core builds them, lowered onto tfjs, against the SAS authors'
// float64 numbers: output and every trace, then the gradients of Σ output·R.
const INPUT_FEEDS = { 'input.query': 'query', 'input.key': 'key', 'input.value': 'value' } as const;

function feedsOf(tensors: Record<string, Tensor>, params: readonly string[]): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const [fixtureName, feedName] of Object.entries(INPUT_FEEDS)) feeds[feedName] = tensors[fixtureName];
  for (const name of params) feeds[name] = tensors[name];
  return feeds;
}

describe.each(NODE_TEST_MODES)('fixtures on tfjs %s', (mode) => {
  let backend: TfjsBackend;
  beforeAll(async () => {
    backend = await createTfjsBackend({ mode });
  });

  it.each(fixtureNames())('%s: output and traces within the forward tolerance', async (name) => {
    const { config, tensors } = loadFixture(name);
    const graph = buildLayer(config, { dtype: 'float32' });
    const expectedNames = Object.keys(graph.outputs).filter((n) => n in tensors);
    expect(expectedNames).toContain('output');
    const out = await backend.run(
      graph,
      feedsOf(
        tensors,
        layerParams(config).map((p) => p.name),
      ),
      { outputs: expectedNames },
    );
    expect(tf.getBackend()).toBe(mode);
    for (const n of expectedNames) expect(mismatches(out[n], tensors[n], TFJS_TOLERANCE.atol, TFJS_TOLERANCE.rtol).slice(0, 3), n).toEqual([]);
  });

  const withGradients = fixtureNames().filter((n) => 'cotangent' in loadFixture(n).tensors);
  it.each(withGradients)('%s: gradients within the gradient tolerance', async (name) => {
    const { config, tensors } = loadFixture(name);
    const params = layerParams(config).map((p) => p.name);
    const graph = grad(withCotangentLoss(buildLayer(config, { dtype: 'float32' }), 'output'), 'loss', { wrt: ['query', 'key', 'value', ...params] });
    const gradNames = Object.keys(graph.outputs).filter((n) => n.startsWith('grad.'));
    const out = await backend.run(graph, { ...feedsOf(tensors, params), cotangent: tensors.cotangent }, { outputs: gradNames });
    for (const n of gradNames) {
      const fixtureName = ['grad.query', 'grad.key', 'grad.value'].includes(n) ? n.replace('grad.', 'grad.input.') : n;
      expect(tensors[fixtureName], fixtureName).toBeDefined();
      expect(mismatches(out[n], tensors[fixtureName], TFJS_TOLERANCE.gradAtol, TFJS_TOLERANCE.gradRtol).slice(0, 3), n).toEqual([]);
    }
  });
});
