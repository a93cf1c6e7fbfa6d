import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Neg: `tf.neg`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'Neg', inputs: [0], attrs: {}, shape: [3], dtype: 'float32' as const };
 * const y = Neg([tf.ones([3])], node); // shape [3]
 * ```
 */
export const Neg = defineKernel<'Neg'>(([x]) => tf.neg(x));
