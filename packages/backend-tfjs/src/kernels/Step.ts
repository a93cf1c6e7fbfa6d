import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Step: `tf.step(x, 0)` is 1 where x > 0, 0 elsewhere (0 at x = 0) and keeps NaN: exactly the op.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'Step', inputs: [0], attrs: {}, shape: [3], dtype: 'float32' as const };
 * const y = Step([tf.tensor1d([-1, 0, 2])], node); // shape [3]
 * ```
 */
export const Step = defineKernel<'Step'>(([x]) => tf.step(x, 0));
