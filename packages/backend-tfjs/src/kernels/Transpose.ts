import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Transpose: `tf.transpose` with the node's permutation.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'Transpose', inputs: [0], attrs: { perm: [1, 0] }, shape: [3, 2], dtype: 'float32' as const };
 * const y = Transpose([tf.ones([2, 3])], node); // shape [3, 2]
 * ```
 */
export const Transpose = defineKernel<'Transpose'>(([x], node) => tf.transpose(x, [...node.attrs.perm]));
