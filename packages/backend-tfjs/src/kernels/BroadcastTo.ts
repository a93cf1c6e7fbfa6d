import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core BroadcastTo: `tf.broadcastTo` (numpy rules, adds leading axes). Gradient graphs use it rarely and on small tensors; on wasm it tiles slowly, so hot paths (MatMul, CausalMask) avoid it.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'BroadcastTo', inputs: [0], attrs: { shape: [4, 3] }, shape: [4, 3], dtype: 'float32' as const };
 * const y = BroadcastTo([tf.ones([1, 3])], node); // shape [4, 3]
 * ```
 */
export const BroadcastTo = defineKernel<'BroadcastTo'>(([x], node) => tf.broadcastTo(x, [...node.shape]));
