import * as tf from '@tensorflow/tfjs-core';
import { matMul } from '../tfops/matmul.js';
import { defineKernel } from './kernel.js';

/**
 * Core MatMul (batch axes broadcast, optional transposes) through
 * `tfops/matmul`: plain `tf.matMul` on cpu/webgl/webgpu; on wasm explicit
 * transposes, a batch folded into rows against a shared matrix, and a genuine
 * batch as one depthwise convolution, the routes that reach XNNPACK.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 2, op: 'MatMul', inputs: [0, 1], attrs: { transposeA: false, transposeB: true }, shape: [2, 5, 5], dtype: 'float32' as const };
 * const scores = MatMul([tf.ones([2, 5, 8]), tf.ones([2, 5, 8])], node);
 * ```
 */
export const MatMul = defineKernel<'MatMul'>(([a, b], node) => {
  // Inner dimension 0: every product is an empty sum, 0 (tfjs on wasm returns uninitialised memory).
  const inner = node.attrs.transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
  return inner === 0 ? tf.zeros([...node.shape]) : matMul(a, b, node.attrs.transposeA, node.attrs.transposeB);
});
