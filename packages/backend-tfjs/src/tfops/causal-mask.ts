import * as tf from '@tensorflow/tfjs-core';

/** 1 where position (i, j) of a [tq, tk] plane is kept: j ≤ i + (tk − tq) (bottom-right aligned). */
function keepPattern(shape: readonly number[]): Uint8Array {
  const tq = shape[shape.length - 2];
  const tk = shape[shape.length - 1];
  const plane = tq * tk;
  const keep = new Uint8Array(shape.reduce((a, b) => a * b, 1));
  if (plane === 0) return keep;
  for (let i = 0; i < tq; i++) {
    const last = Math.min(tk - 1, i + tk - tq);
    for (let j = 0; j <= last; j++) keep[i * tk + j] = 1;
  }
  // Every leading index repeats the plane: bulk copies, no per-element work.
  for (let offset = plane; offset < keep.length; offset += plane) keep.copyWithin(offset, 0, plane);
  return keep;
}

/**
 * The core op CausalMask: entries above the bottom-right aligned diagonal of
 * the last two axes become `fill` (−Infinity before a softmax, 0 in its VJP),
 * the rest pass through unchanged, NaN and ±Inf included.
 *
 * The condition is built on the host at full shape and uploaded (a few MB at
 * T = 512): `tf.where` with a broadcast condition tiles it on the device, which
 * on tfjs-wasm is ~30× slower than uploading. An additive 0/−Inf mask would be
 * cheaper still but turns +Inf/NaN above the diagonal into NaN instead of
 * `fill`. Differentiable through tfjs's own gradient of `where`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * causalMask(tf.ones([2, 3, 3]), -Infinity); // upper triangle −Infinity
 * ```
 */
export function causalMask(x: tf.Tensor, fill: number): tf.Tensor {
  return tf.tidy(() => tf.where(tf.tensor(keepPattern(x.shape), x.shape, 'bool'), x, tf.fill(x.shape, fill)));
}
