import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Sqrt: `tf.sqrt` (NaN below 0).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'Sqrt', inputs: [0], attrs: {}, shape: [3], dtype: 'float32' as const };
 * const y = Sqrt([tf.ones([3])], node); // shape [3]
 * ```
 */
export const Sqrt = defineKernel<'Sqrt'>(([x]) => tf.sqrt(x));
