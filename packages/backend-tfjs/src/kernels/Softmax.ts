import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Softmax: the fused `tf.softmax` over the last axis (a fully −Inf row gives NaN, as in the reference).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'Softmax', inputs: [0], attrs: {}, shape: [2, 2], dtype: 'float32' as const };
 * const y = Softmax([tf.tensor2d([[0, 1], [2, 2]])], node); // shape [2, 2]
 * ```
 */
export const Softmax = defineKernel<'Softmax'>(([x]) => tf.softmax(x, -1));
