import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { layerParams, SasError, type SASConfig, type Tensor } from '@sas/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activateTfjsMode } from '../modes.js';
import { TFJS_TOLERANCE } from '../tolerance.js';
import { mismatches } from '../test-support/compare.js';
import { fixtureNames, loadFixture } from '../test-support/fixtures.js';
import { NODE_TEST_MODES } from '../test-support/modes.js';
import { SASAttention } from './SASAttention.js';

const SAS_FIXTURES = fixtureNames().filter((n) => n.startsWith('sas-'));

const CONFIG = { heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true };

const toTf = (t: Tensor) => tf.tensor(Float32Array.from(t.data), [...t.shape], 'float32');

/** The weight of `layer` whose name ends with the authors' name `name`. */
function weightNamed(layer: tfl.layers.Layer, name: string) {
  const w = layer.trainableWeights.find((v) => v.originalName.endsWith(`/${name}`));
  if (!w) throw new Error(`no weight named …${name} among ${layer.trainableWeights.map((v) => v.name).join(', ')}`);
  return w;
}

describe.each(NODE_TEST_MODES)('SASAttention on tfjs %s', (mode) => {
  beforeAll(async () => {
    await activateTfjsMode(mode);
  });
  let start = 0;
  beforeEach(() => {
    start = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.getBackend()).toBe(mode);
  });

  it('has trainable weights named and shaped like the authors\u2019 state_dict, initialised in ±1/√fan_in', () => {
    const layer = new SASAttention({ ...CONFIG, name: `sas_${mode}` });
    const x = tf.zeros([1, 2, 2, 4]);
    tf.dispose(layer.apply([x, x, x]) as tf.Tensor);
    const specs = layerParams({ kind: 'sas', batch: 1, seqLen: 1, ...CONFIG });
    expect(layer.trainableWeights.map((w) => w.originalName)).toEqual(specs.map((s) => `sas_${mode}/${s.name}`));
    for (const spec of specs) {
      const w = weightNamed(layer, spec.name);
      expect(w.shape).toEqual(spec.shape);
      const values = w.read().dataSync();
      const bound = 1 / Math.sqrt(spec.fanIn);
      expect(Math.max(...Array.from(values, Math.abs))).toBeLessThanOrEqual(bound);
      if (values.length > 8) expect(Math.max(...Array.from(values, Math.abs))).toBeGreaterThan(bound / 2);
    }
    x.dispose();
    layer.dispose();
  });

  it.each(SAS_FIXTURES)('reproduces the authors\u2019 output on %s from their weights, for both input layouts', (name) => {
    const { config, tensors } = loadFixture(name);
    const c = config as SASConfig;
    const layer = new SASAttention(c);
    layer.loadAuthorsWeights(new Map(Object.entries(tensors)));
    const [q, k, v] = ['input.query', 'input.key', 'input.value'].map((n) => toTf(tensors[n]));
    const out = layer.apply([q, k, v]) as tf.Tensor;
    expect(out.shape).toEqual(tensors.output.shape);
    expect(mismatches(out.dataSync(), tensors.output, TFJS_TOLERANCE.atol, TFJS_TOLERANCE.rtol).slice(0, 3)).toEqual([]);
    // [B, T, H·D] inputs are the same numbers read as heads.
    const flatInputs = [q, k, v].map((t) => tf.reshape(t, tensors.output.shape as number[]));
    const flat = layer.apply(flatInputs) as tf.Tensor;
    expect(mismatches(flat.dataSync(), tensors.output, TFJS_TOLERANCE.atol, TFJS_TOLERANCE.rtol).slice(0, 3)).toEqual([]);
    tf.dispose([q, k, v, out, flat, ...flatInputs]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it.each(SAS_FIXTURES.filter((n) => n !== 'sas-paper-head'))(
    'gives the authors\u2019 gradients on %s through tfjs autodiff (tf.grads, tf.variableGrads)',
    (name) => {
      const { config, tensors } = loadFixture(name);
      const layer = new SASAttention(config as SASConfig);
      layer.loadAuthorsWeights(tensors);
      const inputs = ['input.query', 'input.key', 'input.value'].map((n) => toTf(tensors[n]));
      const cotangent = toTf(tensors.cotangent);
      const loss = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.sum(tf.mul(layer.apply([q, k, v]) as tf.Tensor, cotangent));
      const inputGrads = tf.grads(loss)(inputs);
      ['query', 'key', 'value'].forEach((n, i) => {
        expect(mismatches(inputGrads[i].dataSync(), tensors[`grad.input.${n}`], TFJS_TOLERANCE.gradAtol, TFJS_TOLERANCE.gradRtol).slice(0, 3), n).toEqual([]);
      });
      const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => loss(inputs[0], inputs[1], inputs[2]) as tf.Scalar, variables);
      for (const spec of layerParams(config)) {
        const variable = weightNamed(layer, spec.name).read() as tf.Variable;
        expect(
          mismatches(grads[variable.name].dataSync(), tensors[`grad.${spec.name}`], TFJS_TOLERANCE.gradAtol, TFJS_TOLERANCE.gradRtol).slice(0, 3),
          spec.name,
        ).toEqual([]);
      }
      tf.dispose([...inputs, cotangent, ...inputGrads, value, ...Object.values(grads)]);
      layer.dispose();
      expect(tf.memory().numTensors).toBe(start);
    },
  );

  it('trains in a functional model with model.fit: the loss falls', async () => {
    const T = 6;
    const [q, k, v] = [0, 1, 2].map(() => tfl.input({ shape: [T, 2, 4] }));
    const attended = new SASAttention({ ...CONFIG, seed: 11 }).apply([q, k, v]) as tfl.SymbolicTensor;
    const y = tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 12 }) }).apply(attended) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [q, k, v], outputs: y });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
    const xs = [1, 2, 3].map((s) => tf.randomNormal([16, T, 2, 4], 0, 1, 'float32', s));
    // A target the layer can fit: a smooth function of the keys at each step.
    const target = tf.reshape(tf.tanh(tf.sum(xs[1], [2, 3], false)), [16, T, 1]);
    const history = await model.fit(xs, target, { epochs: 8, batchSize: 8, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(0.8 * losses[0]);
    tf.dispose([...xs, target]);
    model.dispose();
  });

  it('round-trips through model.save and tf.loadLayersModel with identical outputs, at another batch size and length', async () => {
    const [q, k, v] = [0, 1, 2].map(() => tfl.input({ shape: [null, 8] }));
    const attended = new SASAttention({ ...CONFIG, causal: false, name: 'sas_attn' }).apply([q, k, v]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [q, k, v], outputs: attended });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(JSON.stringify(saved!.modelTopology)).toContain('"class_name":"SASAttention"');
    expect(saved!.weightSpecs!.map((s) => s.name)).toContain('sas_attn/sas_q.0.weight');
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const xs = [4, 5, 6].map((s) => tf.randomNormal([3, 5, 8], 0, 1, 'float32', s));
    const a = (model.predict(xs) as tf.Tensor).dataSync();
    const b = (loaded.predict(xs) as tf.Tensor).dataSync();
    expect(a.length).toBe(3 * 5 * 8);
    expect(Array.from(b)).toEqual(Array.from(a));
    const restored = loaded.layers.find((l) => l instanceof SASAttention) as SASAttention;
    expect(restored.getConfig()).toMatchObject({ heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: false });
    tf.dispose(xs);
    model.dispose();
    loaded.dispose();
  });

  it('draws the same initial weights for the same seed', () => {
    const [a, b, c] = [5, 5, 6].map((seed) => new SASAttention({ ...CONFIG, seed }).authorsWeights()['sas_q.0.weight'].data);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('exports its weights under the authors\u2019 names and loads them back into a fresh layer', () => {
    const a = new SASAttention(CONFIG);
    const weights = a.authorsWeights();
    expect(Object.keys(weights)).toEqual(layerParams({ kind: 'sas', batch: 1, seqLen: 1, ...CONFIG }).map((p) => p.name));
    const b = new SASAttention(CONFIG);
    b.loadAuthorsWeights(Object.fromEntries(Object.entries(weights).map(([n, t]) => [`attn.${n}`, t])), { prefix: 'attn.' });
    const x = tf.randomNormal([1, 3, 2, 4], 0, 1, 'float32', 9);
    expect(Array.from((b.apply([x, x, x]) as tf.Tensor).dataSync())).toEqual(Array.from((a.apply([x, x, x]) as tf.Tensor).dataSync()));
    a.dispose();
    b.dispose();
    x.dispose();
  });

  it('rejects bad configs, inputs and weights with clear SasErrors', () => {
    expect(() => new SASAttention({ ...CONFIG, simHeads: 5 })).toThrow(/config.simHeads: expected a multiple of heads \(2\), got 5/);
    expect(() => new SASAttention({ ...CONFIG, kernelSize: 2 })).toThrow(SasError);
    const layer = new SASAttention(CONFIG);
    const x = tf.zeros([1, 3, 2, 4]);
    expect(() => layer.apply([x, x])).toThrow(/expected three inputs \[query, key, value\], got 2/);
    expect(() => layer.apply(x)).toThrow(/expected three inputs \[query, key, value\], got 1/);
    expect(() => layer.apply([x, x, tf.zeros([1, 3, 3, 4])])).toThrow(/value must be \[B, T, 2, 4\] or \[B, T, 8\], got \[1,3,3,4\]/);
    expect(() => layer.apply([x, tf.zeros([1, 4, 2, 4]), x])).toThrow(/must share the sequence length/);
    const weights = layer.authorsWeights();
    const { 'sas_v.0.bias': _dropped, ...incomplete } = weights;
    expect(() => layer.loadAuthorsWeights(incomplete)).toThrow(/missing weight sas_v.0.bias/);
    expect(() => layer.loadAuthorsWeights({ ...weights, 'output_dense.bias': { dtype: 'float32', shape: [3], data: new Float32Array(3) } })).toThrow(
      /'output_dense.bias' must be \[8\] for this config, got \[3\]/,
    );
    layer.dispose();
    x.dispose();
  });
});
