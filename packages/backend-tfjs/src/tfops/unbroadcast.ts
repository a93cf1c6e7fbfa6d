import * as tf from '@tensorflow/tfjs-core';

/**
 * Sums `g` over the axes along which a tensor of `shape` was broadcast to
 * `g.shape` (extra leading axes, and size-1 axes that grew), the adjoint of
 * broadcasting. Used by the custom gradients of the helpers.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * unbroadcastTo(tf.ones([2, 3, 4]), [3, 1]).shape; // [3, 1], every entry 8
 * ```
 */
export function unbroadcastTo(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const lead = g.rank - shape.length;
    const axes: number[] = [];
    for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
    const summed = axes.length > 0 ? tf.sum(g, axes, true) : g;
    return tf.reshape(summed, [...shape]);
  });
}
