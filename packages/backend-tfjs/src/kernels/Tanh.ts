import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Tanh: `tf.tanh` (±1 for ±∞ and large |x|, NaN for NaN, as `Math.tanh`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'Tanh', inputs: [0], attrs: {}, shape: [3], dtype: 'float32' as const };
 * const y = Tanh([tf.tensor1d([-100, 0, 0.5])], node); // [-1, 0, 0.4621…]
 * ```
 */
export const Tanh = defineKernel<'Tanh'>(([x]) => tf.tanh(x));
