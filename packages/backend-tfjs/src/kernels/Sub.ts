import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Sub: `tf.sub` (numpy broadcasting).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 2, op: 'Sub', inputs: [0, 1], attrs: {}, shape: [2, 3], dtype: 'float32' as const };
 * const y = Sub([tf.ones([2, 3]), tf.ones([3])], node); // shape [2, 3]
 * ```
 */
export const Sub = defineKernel<'Sub'>(([a, b]) => tf.sub(a, b));
