import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Exp: `tf.exp`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'Exp', inputs: [0], attrs: {}, shape: [3], dtype: 'float32' as const };
 * const y = Exp([tf.zeros([3])], node); // shape [3]
 * ```
 */
export const Exp = defineKernel<'Exp'>(([x]) => tf.exp(x));
