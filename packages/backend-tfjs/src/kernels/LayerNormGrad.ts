import * as tf from '@tensorflow/tfjs-core';
import { normalizedRows } from '../tfops/layer-norm.js';
import { sizeOfShape } from '../tfops/shape.js';
import { defineKernel } from './kernel.js';

/**
 * Core LayerNormGrad from x, weight and the output cotangent g, x̂ and rstd
 * recomputed as LayerNorm's kernel computes them: `wrt: 'weight'` sums
 * `g ⊙ x̂` over every leading axis; `wrt: 'x'` is
 * `rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂))` with ĝ = g ⊙ weight, means over the
 * last axis.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 3, op: 'LayerNormGrad', inputs: [0, 1, 2], attrs: { eps: 1e-5, wrt: 'weight' as const }, shape: [2], dtype: 'float32' as const };
 * const dWeight = LayerNormGrad([tf.tensor2d([[1, 3]]), tf.ones([2]), tf.ones([1, 2])], node); // ≈ [-1, 1]
 * ```
 */
export const LayerNormGrad = defineKernel<'LayerNormGrad'>(([x, weight, g], node) => {
  const { eps, wrt } = node.attrs;
  if (sizeOfShape(x.shape) === 0) return tf.zeros([...node.shape]);
  const { xhat, rstd } = normalizedRows(x, eps);
  if (wrt === 'weight') return tf.sum(tf.reshape(tf.mul(g, xhat), [-1, weight.size]), 0);
  const gh = tf.mul(g, weight);
  const meanG = tf.mean(gh, -1, true);
  const meanGX = tf.mean(tf.mul(gh, xhat), -1, true);
  return tf.mul(rstd, tf.sub(tf.sub(gh, meanG), tf.mul(xhat, meanGX)));
});
