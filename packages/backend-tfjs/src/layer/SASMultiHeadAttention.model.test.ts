import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SasError } from '@sas/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activateTfjsMode } from '../modes.js';
import { MHA } from '../test-support/mha.js';
import { NODE_TEST_MODES } from '../test-support/modes.js';
import { SASMultiHeadAttention } from './SASMultiHeadAttention.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** Saves `model` through a save handler (what `model.save` hands any destination) and loads it back from memory. */
async function roundTrip(model: tfl.LayersModel): Promise<{ saved: tf.io.ModelArtifacts; loaded: tfl.LayersModel }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  // Through JSON text, as a file would hold it.
  const topology = JSON.parse(JSON.stringify(saved!.modelTopology));
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: topology }));
  return { saved: saved!, loaded };
}

/** The error `fn` throws, for checking its class, code and message together. */
function errorOf(fn: () => unknown): SasError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SasError) return e;
    throw new Error(`expected a SasError, got ${String(e)}`);
  }
  throw new Error('expected a SasError, nothing was thrown');
}

describe.each(NODE_TEST_MODES)('SASMultiHeadAttention in tfjs models on %s', (mode) => {
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

  it('trains in tf.sequential after a maskZero embedding (model.fit): the loss falls', async () => {
    const model = tfl.sequential();
    // A fixed embedding: tfjs-wasm has no kernel for the embedding's gradient (UnsortedSegmentSum).
    const embeddingsInitializer = tfl.initializers.randomNormal({ seed: 1 });
    model.add(tfl.layers.embedding({ inputDim: 12, outputDim: 8, maskZero: true, inputShape: [6], embeddingsInitializer, trainable: false }));
    model.add(new SASMultiHeadAttention({ ...MHA, seed: 2 }));
    model.add(tfl.layers.globalAveragePooling1d());
    model.add(tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }));
    const optimizer = tf.train.adam(0.02);
    model.compile({ optimizer, loss: 'meanSquaredError' });
    // Target: whether token 1 occurs in the sequence (needs attention across positions to be read out per step).
    const rows = Array.from({ length: 32 }, (_, i) => Array.from({ length: 6 }, (_, t) => (t < 3 + (i % 4) ? 1 + ((i * 5 + t * 7) % 11) : 0)));
    const xs = tf.tensor2d(rows, [32, 6], 'int32');
    const ys = tf.tensor2d(
      rows.map((r) => [r.includes(1) ? 1 : 0]),
      [32, 1],
    );
    const history = await model.fit(xs, ys, { epochs: 10, batchSize: 8, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(0.7 * losses[0]);
    tf.dispose([xs, ys]);
    model.dispose();
    optimizer.dispose(); // its moments; a model does not own an optimizer it was given
    expect(tf.memory().numTensors).toBe(start);
  });

  it('is causal in tf.sequential, which passes no call arguments, through the constructor’s useCausalMask, and saves it', async () => {
    const model = tfl.sequential({ layers: [new SASMultiHeadAttention({ ...MHA, useCausalMask: true, seed: 8, inputShape: [null, 6] })] });
    const layer = model.layers[0] as SASMultiHeadAttention;
    const x = normal([1, 5, 6], 9);
    const out = model.predict(x) as tf.Tensor;
    const [causal, bidirectional] = [true, false].map((useCausalMask) => layer.apply(x, { useCausalMask }) as tf.Tensor);
    expect(values(out)).toEqual(values(causal));
    expect(values(out)).not.toEqual(values(bidirectional));
    const { loaded } = await roundTrip(model);
    expect(loaded.layers[0].getConfig()).toMatchObject({ useCausalMask: true });
    const again = loaded.predict(x) as tf.Tensor;
    expect(values(again)).toEqual(values(out));
    tf.dispose([x, out, causal, bidirectional, again]);
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('round-trips through model.save and tf.loadLayersModel: config, weights, call options, outputs', async () => {
    const tokens = tfl.input({ shape: [null] });
    const embedding = tfl.layers.embedding({ inputDim: 10, outputDim: 6, maskZero: true });
    const embedded = embedding.apply(tokens) as tfl.SymbolicTensor;
    const layer = new SASMultiHeadAttention({
      ...MHA,
      valueDim: 3,
      dropout: 0.1,
      kernelInitializer: 'heNormal',
      biasInitializer: tfl.initializers.constant({ value: 0.01 }),
      seed: 4,
      name: 'sas_mha',
    });
    const attended = layer.apply(embedded, { useCausalMask: true }) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: tokens, outputs: attended });
    const { saved, loaded } = await roundTrip(model);
    const topology = JSON.stringify(saved.modelTopology);
    expect(topology).toContain('"class_name":"SASMultiHeadAttention"');
    expect(saved.weightSpecs!.map((s) => s.name).filter((n) => n.startsWith('sas_mha/'))).toEqual(layer.weights.map((w) => w.originalName));
    const restored = loaded.getLayer('sas_mha') as SASMultiHeadAttention;
    expect(restored).toBeInstanceOf(SASMultiHeadAttention);
    // An initializer's unset seed is undefined before saving and null after.
    const asJson = (config: object) => JSON.parse(JSON.stringify(config, (_key, v) => (v === null ? undefined : v)));
    expect(asJson(restored.getConfig())).toEqual(asJson(layer.getConfig()));
    expect(restored.getConfig()).toMatchObject({
      numHeads: 2,
      keyDim: 4,
      valueDim: 3,
      simHeads: 4,
      simKeyDim: 8,
      kernelSize: 3,
      dropout: 0.1,
      useBias: true,
      seed: 4,
    });
    // Another batch size and length; the restored layer is causal and masks padding as the original.
    const ids = tf.tensor2d(
      [
        [3, 1, 4, 1, 5, 0, 0],
        [2, 7, 1, 8, 2, 8, 1],
      ],
      undefined,
      'int32',
    );
    const a = model.predict(ids) as tf.Tensor;
    const b = loaded.predict(ids) as tf.Tensor;
    expect(a.shape).toEqual([2, 7, 6]);
    expect(values(b)).toEqual(values(a));
    const eager = tf.tidy(() => values(layer.apply(embedding.apply(ids) as tf.Tensor, { useCausalMask: false }) as tf.Tensor));
    expect(eager).not.toEqual(values(a)); // the saved call option matters, and survived
    tf.dispose([ids, a, b]);
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('serves cross-attention with attention scores as a second model output, and saves it', async () => {
    const queryIn = tfl.input({ shape: [3, 5] });
    const memoryIn = tfl.input({ shape: [null, 7] });
    const layer = new SASMultiHeadAttention({ ...MHA, seed: 5, name: 'cross' });
    const [attended, scores] = layer.apply(queryIn, { value: memoryIn, returnAttentionScores: true }) as tfl.SymbolicTensor[];
    expect(attended.shape).toEqual([null, 3, 8]);
    expect(scores.shape).toEqual([null, MHA.simHeads, 3, null]);
    const model = tfl.model({ inputs: [queryIn, memoryIn], outputs: [attended, scores] });
    const { loaded } = await roundTrip(model);
    const inputs = [normal([2, 3, 5], 6), normal([2, 9, 7], 7)];
    const [out, p] = model.predict(inputs) as tf.Tensor[];
    expect(p.shape).toEqual([2, MHA.simHeads, 3, 9]);
    const [out2, p2] = loaded.predict(inputs) as tf.Tensor[];
    expect(values(out2)).toEqual(values(out));
    expect(values(p2)).toEqual(values(p));
    tf.dispose([...inputs, out, p, out2, p2]);
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('rejects bad and unsupported arguments with one-line SasErrors naming them', () => {
    const config = (extra: Record<string, unknown>) => errorOf(() => new SASMultiHeadAttention({ ...MHA, ...extra } as never));
    expect(config({ numHead: 2 })).toMatchObject({
      code: 'E_CONFIG',
      message: expect.stringMatching(/unknown argument 'numHead' \(expected one of numHeads, /),
    });
    expect(config({ outputShape: [16] }).message).toMatch(/'outputShape' is not supported: the output is PEAA’s \[B, Tq, numHeads·valueDim\]/);
    expect(config({ attentionAxes: [1] }).message).toMatch(/'attentionAxes' is not supported/);
    expect(config({ kernelRegularizer: 'l2' }).message).toMatch(/'kernelRegularizer' is not supported: regularizers are not implemented/);
    expect(config({ simHeads: 5 }).message).toMatch(/simHeads must be a multiple of numHeads \(2\), got 5/);
    expect(config({ kernelSize: 4 }).message).toMatch(/kernelSize must be odd/);
    expect(config({ keyDim: 0 }).message).toMatch(/keyDim must be a positive integer, got 0/);
    expect(config({ useCausalMask: 'yes' }).message).toMatch(/useCausalMask must be a boolean, got yes/);
    expect(config({ dropout: 1 }).message).toMatch(/dropout must be a rate in \[0, 1\), got 1/);
    expect(config({ dtype: 'int32' }).message).toMatch(/dtype must be 'float32'/);
    expect(config({ kernelInitializer: 'sometimes' }).message).toMatch(/kernelInitializer must be a tfjs initializer, one of glorotNormal, .*got "sometimes"/);

    const layer = new SASMultiHeadAttention({ ...MHA, name: 'attn' });
    const x = tf.zeros([2, 5, 6]);
    const call = (inputs: tf.Tensor | tf.Tensor[], kwargs?: Record<string, unknown>) => errorOf(() => layer.apply(inputs, kwargs));
    expect(call(x, { use_causal_mask: true })).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/unknown call argument 'use_causal_mask'/) });
    expect(call([x, x], { value: x }).message).toMatch(/value given twice/);
    expect(call(x, { key: x }).message).toMatch(/key given without value/);
    expect(call(x, { useCausalMask: 'yes' }).message).toMatch(/useCausalMask must be a boolean, got yes/);
    expect(call([x, x, x, x, x]).message).toMatch(/expected 1 to 4 inputs \[query, value, key, attentionMask\], got 5/);
    const rank2 = tf.zeros([2, 6]);
    expect(call(rank2)).toMatchObject({ code: 'E_SHAPE', message: expect.stringMatching(/query must be \[batch, length, features\], got \[2,6\]/) });
    tf.dispose(layer.apply(x) as tf.Tensor); // builds for 6 features
    const wider = tf.zeros([2, 5, 7]);
    expect(call(wider).message).toMatch(/query must have 6 features \(the layer was built for \[B, T, 6\]\), got \[2,5,7\]/);
    const [otherBatch, otherLength] = [tf.zeros([3, 5, 6]), tf.zeros([2, 4, 6])];
    expect(call(x, { value: otherBatch }).message).toMatch(/must share the batch size/);
    expect(call(x, { value: x, key: otherLength }).message).toMatch(/value and key must share the length, got \[2,5,6\] and \[2,4,6\]/);
    expect(errorOf(() => new SASMultiHeadAttention(MHA).authorsWeights())).toMatchObject({ code: 'E_WEIGHTS' });

    const symbolic = tfl.input({ shape: [5, 6] });
    expect(call(symbolic as never, { value: x }).message).toMatch(/value is a concrete tensor but the query is not/);
    const ones = tf.ones([2, 5]);
    expect(call(symbolic as never, { queryMask: ones }).message).toMatch(/queryMask must be a concrete tensor in an eager call/);
    const twice = new SASMultiHeadAttention(MHA);
    twice.apply(symbolic, { useCausalMask: true });
    expect(errorOf(() => twice.apply(symbolic)).message).toMatch(
      /applied in a model with .*"useCausalMask":true.* and now .*"useCausalMask":false.*use one layer per set of options/,
    );
    tf.dispose([x, rank2, wider, otherBatch, otherLength, ones]);
    layer.dispose();
  });
});
