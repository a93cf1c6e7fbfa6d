import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Flip: `tf.reverse` along the node's axis (canonical: non-negative).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'Flip', inputs: [0], attrs: { axis: 0 }, shape: [3], dtype: 'float32' as const };
 * const y = Flip([tf.tensor1d([1, 2, 3])], node); // shape [3]
 * ```
 */
export const Flip = defineKernel<'Flip'>(([x], node) => tf.reverse(x, [node.attrs.axis]));
