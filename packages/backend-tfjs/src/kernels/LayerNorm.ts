import * as tf from '@tensorflow/tfjs-core';
import { normalizedRows } from '../tfops/layer-norm.js';
import { sizeOfShape } from '../tfops/shape.js';
import { defineKernel } from './kernel.js';

/**
 * Core LayerNorm over the last axis: `tf.moments` (biased variance), then
 * `(x − mean)·rsqrt(var + eps)·weight + bias`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 3, op: 'LayerNorm', inputs: [0, 1, 2], attrs: { eps: 1e-5 }, shape: [1, 2], dtype: 'float32' as const };
 * const y = LayerNorm([tf.tensor2d([[1, 3]]), tf.ones([2]), tf.zeros([2])], node); // ≈ [[-1, 1]]
 * ```
 */
export const LayerNorm = defineKernel<'LayerNorm'>(([x, weight, bias], node) => {
  if (sizeOfShape(node.shape) === 0) return tf.zeros([...node.shape]);
  return tf.add(tf.mul(normalizedRows(x, node.attrs.eps).xhat, weight), bias);
});
