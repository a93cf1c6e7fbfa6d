import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SasError } from '@sas/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activateTfjsMode } from '../modes.js';
import { TFJS_TOLERANCE } from '../tolerance.js';
import { mismatches } from '../test-support/compare.js';
import { MHA, referenceOutput, weightOf } from '../test-support/mha.js';
import { NODE_TEST_MODES } from '../test-support/modes.js';
import { SASMultiHeadAttention } from './SASMultiHeadAttention.js';

const { atol, rtol } = TFJS_TOLERANCE;
const values = (t: tf.Tensor) => Array.from(t.dataSync());
const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
/** Rows [0, n) of batch element b of a [B, T, …] tensor, as numbers. */
const firstRows = (t: tf.Tensor, b: number, n: number) => tf.tidy(() => values(tf.slice(t, [b, 0], [1, n])));
/** Token ids 1…9 with 0 (padding) after `length` positions. */
const ids = (lengths: number[], total: number, seed: number) =>
  tf.tensor2d(
    lengths.map((n, b) => Array.from({ length: total }, (_, t) => (t < n ? 1 + ((seed * 7 + b * 5 + t * 3) % 9) : 0))),
    [lengths.length, total],
    'int32',
  );

describe.each(NODE_TEST_MODES)('SASMultiHeadAttention masks on tfjs %s', (mode) => {
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

  it('ignores padded positions: other padding content changes no unpadded output, which is the unpadded sequence’s', async () => {
    const layer = new SASMultiHeadAttention({ ...MHA, seed: 1 });
    const x = normal([2, 6, 8], 2);
    const padding = tf.tensor2d([
      [1, 1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1, 1],
    ]);
    const other = tf.tidy(() => tf.where(tf.cast(tf.expandDims(padding, -1), 'bool'), x, normal([2, 6, 8], 3)));
    const [out, scores] = layer.apply(x, { queryMask: padding, returnAttentionScores: true }) as tf.Tensor[];
    const again = layer.apply(other, { queryMask: padding }) as tf.Tensor;
    expect(firstRows(again, 0, 4)).toEqual(firstRows(out, 0, 4));
    expect(firstRows(again, 1, 6)).toEqual(firstRows(out, 1, 6));
    // The first sequence alone, unpadded: the same rows (tfjs) and the float64 reference's.
    const short = tf.slice(x, [0, 0, 0], [1, 4, 8]);
    const alone = layer.apply(short) as tf.Tensor;
    expect(mismatches(firstRows(out, 0, 4), alone.dataSync(), 1e-6, 1e-6)).toEqual([]);
    expect(mismatches(firstRows(out, 0, 4), await referenceOutput(layer, { query: short, key: short, value: short }, false), atol, rtol)).toEqual([]);
    // Padded query rows attend to nothing: zero probabilities (not NaN), output = PEAA's bias.
    const p = scores.arraySync() as number[][][][];
    for (const head of p[0]) {
      head.slice(0, 4).forEach((row) => expect(row.slice(4)).toEqual([0, 0]));
      head.slice(4).forEach((row) => expect(row).toEqual([0, 0, 0, 0, 0, 0]));
    }
    const bias = values(weightOf(layer, 'output_dense.bias'));
    for (const t of [4, 5])
      expect(
        mismatches(
          tf.tidy(() => values(tf.slice(out, [0, t], [1, 1]))),
          bias,
          1e-6,
          1e-6,
        ),
      ).toEqual([]);
    tf.dispose([x, padding, other, out, scores, again, short, alone]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('applies the padding mask of a maskZero embedding in tf.sequential, and passes it on to the next layer', () => {
    const model = (maskZero: boolean) =>
      tfl.sequential({
        layers: [
          tfl.layers.embedding({ inputDim: 10, outputDim: 8, maskZero, inputShape: [null], embeddingsInitializer: tfl.initializers.randomNormal({ seed: 4 }) }),
          new SASMultiHeadAttention({ ...MHA, seed: 5 }),
          new SASMultiHeadAttention({ ...MHA, seed: 6 }),
        ],
      });
    const masked = model(true);
    const unmasked = model(false);
    const padded = ids([3, 5], 7, 1);
    const out = masked.predict(padded) as tf.Tensor;
    expect(out.shape).toEqual([2, 7, 8]);
    // Each sequence alone, without padding: the same rows, through both attention layers (so the mask reached the second).
    for (const [b, n] of [
      [0, 3],
      [1, 5],
    ]) {
      const alone = tf.tidy(() => (masked.predict(tf.slice(padded, [b, 0], [1, n])) as tf.Tensor).dataSync());
      expect(mismatches(firstRows(out, b, n), alone, 1e-6, 1e-6)).toEqual([]);
    }
    // The mask is not ignored: the same weights without it give other numbers.
    const ignoring = unmasked.predict(padded) as tf.Tensor;
    expect(firstRows(ignoring, 0, 3)).not.toEqual(firstRows(out, 0, 3));
    tf.dispose([padded, out, ignoring]);
    masked.dispose();
    unmasked.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('applies a value mask in a functional cross-attention model when the value comes from a maskZero embedding', () => {
    const queryIn = tfl.input({ shape: [4, 6] });
    const valueIds = tfl.input({ shape: [null] });
    const embedding = tfl.layers.embedding({ inputDim: 10, outputDim: 5, maskZero: true });
    const embedded = embedding.apply(valueIds) as tfl.SymbolicTensor;
    const layer = new SASMultiHeadAttention({ ...MHA, seed: 7 });
    const attended = layer.apply(queryIn, { value: embedded }) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [queryIn, valueIds], outputs: attended });
    const query = normal([2, 4, 6], 8);
    const [short, long] = [ids([2, 3], 3, 2), ids([2, 3], 6, 2)];
    const a = model.predict([query, short]) as tf.Tensor;
    const b = model.predict([query, long]) as tf.Tensor;
    expect(mismatches(a.dataSync(), b.dataSync(), 1e-6, 1e-6)).toEqual([]);
    const ignoring = tf.tidy(() => {
      const value = embedding.apply(long) as tf.Tensor;
      return layer.apply(query, { value: tf.clone(value) }) as tf.Tensor; // a clone holds no mask
    });
    expect(values(ignoring)).not.toEqual(values(b));
    tf.dispose([query, short, long, a, b, ignoring]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('takes a value’s mask through another attention layer, whose output holds its query’s mask', () => {
    const queryIn = tfl.input({ shape: [3, 6] });
    const memoryIds = tfl.input({ shape: [null] });
    const embedding = tfl.layers.embedding({ inputDim: 10, outputDim: 5, maskZero: true });
    const encoder = new SASMultiHeadAttention({ ...MHA, valueDim: 4, seed: 16 });
    const memory = encoder.apply(embedding.apply(memoryIds) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const decoder = new SASMultiHeadAttention({ ...MHA, seed: 17 });
    const model = tfl.model({ inputs: [queryIn, memoryIds], outputs: decoder.apply(queryIn, { value: memory }) as tfl.SymbolicTensor });
    const query = normal([2, 3, 6], 18);
    const [short, long] = [ids([2, 4], 4, 5), ids([2, 4], 7, 5)];
    const a = model.predict([query, short]) as tf.Tensor;
    const b = model.predict([query, long]) as tf.Tensor;
    expect(mismatches(a.dataSync(), b.dataSync(), 1e-6, 1e-6)).toEqual([]);
    tf.dispose([query, short, long, a, b]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('refuses a value whose Keras mask tfjs would drop, and takes the padding as an attentionMask input instead', () => {
    const queryIn = tfl.input({ shape: [4, 6] });
    const valueIds = tfl.input({ shape: [5] });
    const embedding = tfl.layers.embedding({ inputDim: 10, outputDim: 5, maskZero: true });
    const projection = tfl.layers.dense({ units: 5 });
    const dense = projection.apply(embedding.apply(valueIds)) as tfl.SymbolicTensor; // passes the mask on, as a first input only
    const layer = new SASMultiHeadAttention({ ...MHA, seed: 9 });
    let error: unknown;
    try {
      layer.apply(queryIn, { value: dense });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SasError);
    expect((error as SasError).code).toBe('E_INPUT');
    expect((error as Error).message).toMatch(
      /the value \(from layer 'dense_\w+'\) carries a Keras mask that tfjs does not pass .* give the padding as attentionMask/,
    );
    const maskIn = tfl.input({ shape: [4, 5] });
    const attended = layer.apply(queryIn, { value: dense, attentionMask: maskIn }) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [queryIn, valueIds, maskIn], outputs: attended });
    const query = normal([1, 4, 6], 10);
    const valueTokens = ids([3], 5, 3);
    const attentionMask = tf.tensor3d([Array.from({ length: 4 }, () => [1, 1, 1, 0, 0])]);
    const out = model.predict([query, valueTokens, attentionMask]) as tf.Tensor;
    const expected = tf.tidy(() => {
      const value = projection.apply(embedding.apply(valueTokens)) as tf.Tensor;
      return layer.apply(query, { value: tf.clone(value), attentionMask }) as tf.Tensor;
    });
    expect(values(out)).toEqual(values(expected));
    tf.dispose([query, valueTokens, attentionMask, out, expected]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('takes attentionMask as [B, Tq, Tk], [1, Tq, Tk] or [Tq, Tk], boolean or 0/1, and rejects other shapes', () => {
    const layer = new SASMultiHeadAttention({ ...MHA, seed: 11 });
    const [query, value] = [normal([2, 3, 6], 12), normal([2, 4, 6], 13)];
    const plane = [
      [1, 0, 1, 1],
      [0, 1, 1, 0],
      [1, 1, 1, 1],
    ];
    const forms = [tf.tensor2d(plane), tf.tensor3d([plane]), tf.tensor3d([plane, plane]), tf.tensor2d(plane, undefined, 'bool')];
    const outs = forms.map((attentionMask) => layer.apply(query, { value, attentionMask }) as tf.Tensor);
    for (const o of outs.slice(1)) expect(values(o)).toEqual(values(outs[0]));
    const [withScores, scores] = layer.apply(query, { value, attentionMask: forms[0], returnAttentionScores: true }) as tf.Tensor[];
    const p = scores.arraySync() as number[][][][];
    p.flat().forEach((head) => head.forEach((row, i) => row.forEach((w, j) => expect(w === 0).toBe(plane[i][j] === 0))));
    const wrong = tf.ones([3, 5]);
    expect(() => layer.apply(query, { value, attentionMask: wrong })).toThrow(/attentionMask must be \[2,3,4\] or \[1,3,4\] or \[3,4\], got \[3,5\]/);
    const badPadding = tf.ones([2, 3]);
    expect(() => layer.apply(query, { value, valueMask: badPadding })).toThrow(/the value mask must be \[2,4\], got \[2,3\]/);
    tf.dispose([query, value, ...forms, ...outs, withScores, scores, wrong, badPadding]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('does not take another layer’s leftover mask: tfjs shares one mask argument between all layers of a model', () => {
    // tfjs's executor sets kwargs.mask for a layer with a masked input and never clears it: the
    // attention below runs after the masked branch and would see its mask as the query's.
    const tokens = tfl.input({ shape: [5] });
    const masked = tfl.layers
      .dense({ units: 3 })
      .apply(tfl.layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true }).apply(tokens)) as tfl.SymbolicTensor;
    const x = tfl.input({ shape: [5, 6] });
    const layer = new SASMultiHeadAttention({ ...MHA, seed: 14 });
    const attended = layer.apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [tokens, x], outputs: [masked, attended] });
    const input = normal([1, 5, 6], 15);
    const tokenIds = ids([2], 5, 4);
    const [side, out] = model.predict([tokenIds, input]) as tf.Tensor[];
    const alone = layer.apply(input) as tf.Tensor;
    expect(values(out)).toEqual(values(alone));
    tf.dispose([input, tokenIds, side, out, alone]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
