import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Mul: `tf.mul` (numpy broadcasting).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 2, op: 'Mul', inputs: [0, 1], attrs: {}, shape: [2, 3], dtype: 'float32' as const };
 * const y = Mul([tf.ones([2, 3]), tf.scalar(2)], node); // shape [2, 3]
 * ```
 */
export const Mul = defineKernel<'Mul'>(([a, b]) => tf.mul(a, b));
