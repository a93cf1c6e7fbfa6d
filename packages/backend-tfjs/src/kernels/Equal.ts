import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Equal: `tf.equal` (bool, numpy broadcasting) cast to float32 1/0; NaN equals nothing, as in the reference.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 2, op: 'Equal', inputs: [0, 1], attrs: {}, shape: [2], dtype: 'float32' as const };
 * const y = Equal([tf.tensor1d([1, 2]), tf.scalar(2)], node); // shape [2]
 * ```
 */
export const Equal = defineKernel<'Equal'>(([a, b]) => tf.cast(tf.equal(a, b), 'float32'));
