import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Reshape: `tf.reshape` to the node's shape: a new tensor sharing the data, so the executor may free the input.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'Reshape', inputs: [0], attrs: { shape: [3, 4] }, shape: [3, 4], dtype: 'float32' as const };
 * const y = Reshape([tf.ones([2, 6])], node); // shape [3, 4]
 * ```
 */
export const Reshape = defineKernel<'Reshape'>(([x], node) => tf.reshape(x, [...node.shape]));
