import * as tf from '@tensorflow/tfjs-core';

/**
 * The normalised rows of `x` [..., w] over the last axis and their
 * reciprocal standard deviation: `x̂ = (x − mean)·rstd`,
 * `rstd = 1/√(var + eps)` [..., 1], with the biased variance (torch's
 * LayerNorm).
 *
 * Centred by the corrected two-pass method: a float32 mean m of rows far
 * from 0 is off by up to half an ulp of m (4e-6 at 100), which divided by a
 * small standard deviation is a visible error in x̂. So the rows are centred
 * twice: c = x − m (exact for x near m), then c − mean(c), the mean of the
 * small residuals being accurate. The variance is then the mean of squares
 * of those centred values, never E[x²] − E[x]². Call inside `tf.tidy`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const { xhat, rstd } = normalizedRows(tf.tensor2d([[1, 3]]), 0);
 * xhat.dataSync(); // [-1, 1]
 * rstd.dataSync(); // [1]
 * ```
 */
export function normalizedRows(x: tf.Tensor, eps: number): { xhat: tf.Tensor; rstd: tf.Tensor } {
  const first = tf.sub(x, tf.mean(x, -1, true));
  const centred = tf.sub(first, tf.mean(first, -1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps));
  return { xhat: tf.mul(centred, rstd), rstd };
}
