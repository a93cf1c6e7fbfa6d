import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Relu: `tf.relu` (NaN stays NaN, −Inf becomes 0, as in the reference).
 * On webgl the input is first clamped to −FLT_MAX: tfjs-webgl's packed relu
 * multiplies x by (x ≥ 0), which turns −Inf into NaN (−Inf·0). `tf.maximum`
 * keeps NaN, and its gradient is 1 for every finite x, so tfjs autodiff
 * through the layer is unchanged.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'Relu', inputs: [0], attrs: {}, shape: [2], dtype: 'float32' as const };
 * const y = Relu([tf.tensor1d([-1, 2])], node); // shape [2]
 * ```
 */
export const Relu = defineKernel<'Relu'>(([x]) => tf.relu(tf.getBackend() === 'webgl' ? tf.maximum(x, -3.4028234663852886e38) : x));
