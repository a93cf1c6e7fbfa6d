import * as tf from '@tensorflow/tfjs-core';
import { buildLayer, grad, initParams, layerParams, randomNormal, SasError, withCotangentLoss, GraphBuilder, exp, type Tensor } from '@sas/core';
import { describe, expect, it } from 'vitest';
import { createTfjsBackend } from './backend.js';
import { switchTfjsBackend } from './modes.js';
import { tfjsProvider } from './provider.js';
import { NODE_TEST_MODES } from './test-support/modes.js';

const CONFIG = { kind: 'sas', batch: 2, seqLen: 6, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true } as const;

function feeds(withCotangent: boolean): Record<string, Tensor> {
  const shape = [CONFIG.batch, CONFIG.seqLen, CONFIG.heads, CONFIG.headDim];
  const f: Record<string, Tensor> = { ...initParams(CONFIG, 1), query: randomNormal(shape, 2), key: randomNormal(shape, 3), value: randomNormal(shape, 4) };
  if (withCotangent) f.cotangent = randomNormal([CONFIG.batch, CONFIG.seqLen, CONFIG.heads * CONFIG.headDim], 5);
  return f;
}

describe('tfjsProvider', () => {
  it('offers wasm then cpu in Node, float32, at the 1e-4 tolerance', () => {
    expect(tfjsProvider.name).toBe('tfjs');
    expect(tfjsProvider.modes).toEqual(['wasm', 'cpu']);
    expect(tfjsProvider.tolerance('wasm')).toEqual({ atol: 1e-4, rtol: 1e-4, gradAtol: 1e-4, gradRtol: 1e-4 });
  });

  it.each(NODE_TEST_MODES)('creates a %s backend that really runs on that tfjs backend', async (mode) => {
    const backend = await tfjsProvider.create({ mode });
    expect(backend.mode).toBe(mode);
    expect(backend.dtypes).toEqual(['float32']);
    expect(tf.getBackend()).toBe(mode);
  });

  it('re-activates its own mode on every run when several modes are in use', async () => {
    const wasm = await createTfjsBackend({ mode: 'wasm' });
    await createTfjsBackend({ mode: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    const b = new GraphBuilder('float32');
    b.output('y', exp(b.input('x', [2])));
    const out = await wasm.run(b.build(), { x: { dtype: 'float32', shape: [2], data: new Float32Array([0, 1]) } });
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(out.y.data)).toEqual([1, Math.fround(Math.E)]);
  });

  it('refuses unknown and browser-only modes with one clear E_BACKEND line', async () => {
    await expect(tfjsProvider.create({ mode: 'tpu' })).rejects.toThrow(/backend 'tfjs' has no mode 'tpu' \(modes here: wasm, cpu\)/);
    await expect(tfjsProvider.create({ mode: 'webgl' })).rejects.toThrow(/tfjs mode 'webgl' needs a browser; under Node use wasm or cpu/);
    await expect(tfjsProvider.create({ mode: 'webgl' })).rejects.toBeInstanceOf(SasError);
  });

  it('reports a tfjs backend that fails to start instead of running on the fallback', async () => {
    tf.registerBackend('sas-test-broken', async () => {
      throw new Error('no device here');
    });
    try {
      await expect(switchTfjsBackend('sas-test-broken')).rejects.toThrow(/tfjs could not start its 'sas-test-broken' backend.*silently/);
    } finally {
      tf.removeBackend('sas-test-broken');
    }
  });

  it('refuses float64 graphs (tfjs has no float64)', async () => {
    const backend = await createTfjsBackend({ mode: 'cpu' });
    const b = new GraphBuilder('float64');
    b.output('y', exp(b.input('x', [2])));
    await expect(backend.run(b.build(), { x: { dtype: 'float64', shape: [2], data: new Float64Array(2) } })).rejects.toThrow(
      /runs float32 graphs, got a float64 graph/,
    );
  });
});

describe.each(NODE_TEST_MODES)('no leaks on tfjs %s', (mode) => {
  it('a forward run and a gradient run leave tf.memory().numTensors where it was', async () => {
    const backend = await createTfjsBackend({ mode });
    const layer = buildLayer(CONFIG);
    const params = layerParams(CONFIG).map((p) => p.name);
    const gradients = grad(withCotangentLoss(layer, 'output'), 'loss', { wrt: ['query', 'key', 'value', ...params] });
    const start = tf.memory().numTensors;
    const forward = await backend.run(layer, feeds(false));
    expect(Object.keys(forward)).toContain('output');
    expect(tf.memory().numTensors).toBe(start);
    const backward = await backend.run(gradients, feeds(true));
    expect(Object.keys(backward).filter((n) => n.startsWith('grad.'))).toHaveLength(3 + params.length);
    expect(tf.memory().numTensors).toBe(start);
    expect(backend.liveHandles()).toBe(0);
  });

  it('a run refused for a misshapen feed leaves nothing behind', async () => {
    const backend = await createTfjsBackend({ mode });
    const start = tf.memory().numTensors;
    const bad = { ...feeds(false), query: randomNormal([1, 1], 2) };
    await expect(backend.run(buildLayer(CONFIG), bad)).rejects.toThrow(SasError);
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('tfjs wasm size limit', () => {
  it('refuses a tensor over 1 GiB before allocating (SAS at T = 8192 would fail inside wasm memory)', async () => {
    const backend = await createTfjsBackend({ mode: 'wasm' });
    const config = { kind: 'mha', batch: 1, seqLen: 16_384, heads: 1, headDim: 1, kvHeads: 1, causal: true } as const;
    const x = randomNormal([1, 16_384, 1, 1], 1);
    const tensors = tf.memory().numTensors;
    await expect(backend.run(buildLayer(config), { query: x, key: x, value: x, ...initParams(config, 2) })).rejects.toThrow(
      /^backend 'tfjs' \(wasm\): node \d+ \(MatMul\) of shape \[1,1,1,16384,16384\] has 268435456 elements, more than the 268435455 one tensor may hold here/,
    );
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
