import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activateTfjsMode } from '../modes.js';
import { TFJS_TOLERANCE } from '../tolerance.js';
import { mismatches } from '../test-support/compare.js';
import { MHA, preProjectedTwin, projectLike, referenceOutput, weightOf } from '../test-support/mha.js';
import { NODE_TEST_MODES } from '../test-support/modes.js';
import { SASMultiHeadAttention } from './SASMultiHeadAttention.js';

const { atol, rtol } = TFJS_TOLERANCE;
const values = (t: tf.Tensor) => Array.from(t.dataSync());
const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

describe.each(NODE_TEST_MODES)('SASMultiHeadAttention numbers on tfjs %s', (mode) => {
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

  it.each([false, true])('equals the pre-projected SASAttention with the same weights, bit for bit (useCausalMask %s)', (causal) => {
    const layer = new SASMultiHeadAttention({ ...MHA, seed: 1 });
    const x = normal([2, 6, 12], 2);
    const out = layer.apply(x, { useCausalMask: causal }) as tf.Tensor;
    expect(out.shape).toEqual([2, 6, 8]);
    const twin = preProjectedTwin(layer, causal);
    const projected = (['query', 'key', 'value'] as const).map((n) => projectLike(layer, n, x));
    const expected = twin.apply(projected) as tf.Tensor;
    expect(values(out)).toEqual(values(expected));
    tf.dispose([x, out, expected, ...projected]);
    layer.dispose();
    twin.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('equals @sas/core’s float64 reference within the tfjs tolerance (self-attention, causal and not)', async () => {
    const layer = new SASMultiHeadAttention({ ...MHA, seed: 3 });
    const x = normal([2, 7, 10], 4);
    for (const causal of [false, true]) {
      const out = layer.apply(x, { useCausalMask: causal }) as tf.Tensor;
      const expected = await referenceOutput(layer, { query: x, key: x, value: x }, causal);
      expect(mismatches(out.dataSync(), expected, atol, rtol).slice(0, 3)).toEqual([]);
      out.dispose();
    }
    x.dispose();
    layer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it.each([
    [3, 8],
    [9, 4],
  ])('cross-attends %i queries to %i keys (key and value of their own), as the float64 reference', async (tq, tk) => {
    const layer = new SASMultiHeadAttention({ ...MHA, seed: 5 });
    const [query, value, key] = [normal([2, tq, 6], 6), normal([2, tk, 5], 7), normal([2, tk, 3], 8)];
    const out = layer.apply(query, { value, key }) as tf.Tensor;
    expect(out.shape).toEqual([2, tq, 8]);
    const expected = await referenceOutput(layer, { query, value, key }, false);
    expect(mismatches(out.dataSync(), expected, atol, rtol).slice(0, 3)).toEqual([]);
    // The same rows as the pre-projected layer on queries zero-padded to Tk rows (when Tq < Tk).
    if (tq < tk) {
      const twin = preProjectedTwin(layer, false);
      const expectedRows = tf.tidy(() => {
        const padded = tf.pad(projectLike(layer, 'query', query), [
          [0, 0],
          [0, tk - tq],
          [0, 0],
          [0, 0],
        ]);
        const full = twin.apply([padded, projectLike(layer, 'key', key), projectLike(layer, 'value', value)]) as tf.Tensor;
        return tf.slice(full, [0, 0, 0], [2, tq, 8]);
      });
      expect(mismatches(out.dataSync(), expectedRows.dataSync(), 1e-6, 1e-6).slice(0, 3)).toEqual([]);
      expectedRows.dispose();
      twin.dispose();
    }
    tf.dispose([query, value, key, out]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('applies a causal mask given at call time, aligned top-left as Keras does when Tq ≠ Tk', async () => {
    const layer = new SASMultiHeadAttention({ ...MHA, seed: 9 });
    const query = normal([1, 4, 6], 10);
    const kv = normal([1, 6, 6], 11);
    const [out, scores] = layer.apply(query, { value: kv, useCausalMask: true, returnAttentionScores: true }) as tf.Tensor[];
    // Query i attends to keys 0 … i only.
    const p = scores.arraySync() as number[][][][];
    for (const head of p[0]) head.forEach((row, i) => row.forEach((w, j) => (j > i ? expect(w).toBe(0) : expect(w).toBeGreaterThan(0))));
    // Changing the keys after the last query changes nothing; the output is the reference's (causal, Tq ≤ Tk).
    const changed = tf.tidy(() => tf.concat([tf.slice(kv, [0, 0, 0], [1, 4, 6]), normal([1, 2, 6], 12)], 1));
    const again = layer.apply(query, { value: changed, useCausalMask: true }) as tf.Tensor;
    expect(values(again)).toEqual(values(out));
    const expected = await referenceOutput(layer, { query, value: kv, key: kv }, true);
    expect(mismatches(out.dataSync(), expected, atol, rtol).slice(0, 3)).toEqual([]);
    // Without the option the same layer is bidirectional.
    const bidirectional = layer.apply(query, { value: kv }) as tf.Tensor;
    expect(values(bidirectional)).not.toEqual(values(out));
    tf.dispose([query, kv, out, scores, changed, again, bidirectional]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('returns the attention probabilities over the simulated heads, [B, H′, Tq, Tk], rows summing to 1', () => {
    const layer = new SASMultiHeadAttention({ ...MHA, seed: 13 });
    const [query, value] = [normal([2, 3, 6], 14), normal([2, 5, 6], 15)];
    const result = layer.apply(query, { value, returnAttentionScores: true }) as tf.Tensor[];
    expect(result).toHaveLength(2);
    const [out, scores] = result;
    expect(scores.shape).toEqual([2, MHA.simHeads, 3, 5]);
    const sums = tf.sum(scores, -1);
    expect(mismatches(sums.dataSync(), new Float32Array(2 * MHA.simHeads * 3).fill(1), 1e-6, 0)).toEqual([]);
    const plain = layer.apply(query, { value }) as tf.Tensor;
    expect(values(out)).toEqual(values(plain));
    tf.dispose([query, value, out, scores, sums, plain]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('supports valueDim ≠ keyDim and useBias: false (no projection or PEAA biases)', () => {
    const layer = new SASMultiHeadAttention({ ...MHA, valueDim: 3, useBias: false, seed: 17 });
    const x = normal([1, 5, 7], 18);
    const out = layer.apply(x) as tf.Tensor;
    expect(out.shape).toEqual([1, 5, 2 * 3]);
    const names = layer.weights.map((w) => w.originalName.split('/').slice(1).join('/'));
    expect(names.filter((n) => n.endsWith('bias') && !n.startsWith('sas_'))).toEqual([]);
    expect(weightOf(layer, 'value/kernel').shape).toEqual([7, 2, 3]);
    expect(weightOf(layer, 'output_dense.weight').shape).toEqual([6, 6]);
    expect(weightOf(layer, 'sas_q.2.weight').shape).toEqual([8, 4]);
    // Zero input: every projection is 0 without biases, so the output is PEAA of the simulation biases alone; finite.
    const zeros = tf.zeros([1, 2, 7]);
    const zero = layer.apply(zeros) as tf.Tensor;
    expect(values(zero).every(Number.isFinite)).toBe(true);
    tf.dispose([x, out, zeros, zero]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('drops attention probabilities only when training', () => {
    const rate = 0.5;
    const withDropout = new SASMultiHeadAttention({ ...MHA, dropout: rate, seed: 19 });
    const without = new SASMultiHeadAttention({ ...MHA, seed: 19 });
    const x = normal([2, 6, 8], 20);
    const inference = [withDropout.apply(x), withDropout.apply(x, { training: false }), without.apply(x)] as tf.Tensor[];
    expect(values(inference[0])).toEqual(values(inference[2]));
    expect(values(inference[1])).toEqual(values(inference[2]));
    const [trained, scores] = withDropout.apply(x, { training: true, returnAttentionScores: true }) as tf.Tensor[];
    expect(values(trained)).not.toEqual(values(inference[2]));
    // The returned scores are the probabilities before dropout (as Keras).
    const plain = without.apply(x, { returnAttentionScores: true }) as tf.Tensor[];
    expect(values(scores)).toEqual(values(plain[1]));
    tf.dispose([x, ...inference, trained, scores, ...plain]);
    withDropout.dispose();
    without.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('is differentiable by tfjs autodiff, gradients finite, and leaks no tensor', () => {
    const layer = new SASMultiHeadAttention({ ...MHA, seed: 21 });
    const [query, value] = [normal([2, 4, 6], 22), normal([2, 5, 6], 23)];
    const padding = tf.tensor2d([
      [1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1],
    ]);
    tf.dispose(layer.apply(query, { value }) as tf.Tensor); // builds the weights
    const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = () => tf.sum(tf.square(layer.apply(query, { value, valueMask: padding, useCausalMask: true }) as tf.Tensor)) as tf.Scalar;
    const { value: l, grads } = tf.variableGrads(loss, weights);
    expect(Object.keys(grads)).toHaveLength(weights.length);
    for (const g of Object.values(grads)) expect(values(g).every(Number.isFinite)).toBe(true);
    expect(values(grads[(weightOf(layer, 'query/kernel') as tf.Variable).name]).some((g) => g !== 0)).toBe(true);
    tf.dispose([l, ...Object.values(grads), query, value, padding]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
