import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Log: `tf.log` (−Inf at 0, NaN below 0, as the reference).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'Log', inputs: [0], attrs: {}, shape: [3], dtype: 'float32' as const };
 * const y = Log([tf.ones([3])], node); // shape [3]
 * ```
 */
export const Log = defineKernel<'Log'>(([x]) => tf.log(x));
