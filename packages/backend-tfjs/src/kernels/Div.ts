import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Div: `tf.div` (numpy broadcasting; IEEE division by zero, as the reference).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 2, op: 'Div', inputs: [0, 1], attrs: {}, shape: [2, 3], dtype: 'float32' as const };
 * const y = Div([tf.ones([2, 3]), tf.scalar(2)], node); // shape [2, 3]
 * ```
 */
export const Div = defineKernel<'Div'>(([a, b]) => tf.div(a, b));
