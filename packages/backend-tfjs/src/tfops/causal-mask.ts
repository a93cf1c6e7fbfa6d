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
 * On wasm, device memory is host memory: read the values once (tfjs-wasm's
 * `dataSync` returns a fresh copy of the heap bytes, so writing into it is
 * safe), overwrite each row's masked tail with one `fill` call, upload.
 * About half the time of the `tf.where` form there.
 */
function maskOnHost(x: tf.Tensor, fill: number): tf.Tensor {
  const data = x.dataSync() as Float32Array;
  const tq = x.shape[x.rank - 2];
  const tk = x.shape[x.rank - 1];
  for (let base = 0; base < data.length; base += tq * tk) {
    for (let i = 0; i < tq; i++) data.fill(fill, base + i * tk + Math.max(0, i + tk - tq + 1), base + (i + 1) * tk);
  }
  return tf.tensor(data, x.shape, 'float32');
}

/**
 * Forward only: the host form on wasm, `tf.where` with a host-built
 * full-shape condition elsewhere. The mask depends on the last two axes only,
 * so the leading ones are folded into one first: tfjs-webgl's Where stops at
 * rank 4, and GQA's scores are rank 5 ([B, Hkv, G, Tq, Tk]).
 */
function causalMaskForward(x: tf.Tensor, fill: number): tf.Tensor {
  if (x.size === 0) return tf.clone(x);
  if (tf.getBackend() === 'wasm') return maskOnHost(x, fill);
  return tf.tidy(() => {
    const tq = x.shape[x.rank - 2];
    const tk = x.shape[x.rank - 1];
    const planes: [number, number, number] = [x.size / (tq * tk), tq, tk];
    const masked = tf.where(tf.tensor(keepPattern(planes), planes, 'bool'), tf.reshape(x, planes), tf.fill(planes, fill));
    return tf.reshape(masked, x.shape);
  });
}

/**
 * The core op CausalMask: entries above the bottom-right aligned diagonal of
 * the last two axes become `fill` (−Infinity before a softmax, 0 in its VJP),
 * the rest pass through unchanged, NaN and ±Inf included.
 *
 * Off wasm, the condition is built on the host at full shape and uploaded (a
 * few MB at T = 512): `tf.where` with a broadcast condition tiles it on the
 * device, which on tfjs-wasm is ~25× slower. An additive 0/−Inf mask would be
 * cheaper but turns +Inf/NaN above the diagonal into NaN instead of `fill`.
 * Differentiable: the cotangent is masked with 0, core's VJP.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * causalMask(tf.ones([2, 3, 3]), -Infinity); // upper triangle −Infinity
 * ```
 */
export function causalMask(x: tf.Tensor, fill: number): tf.Tensor {
  const op = tf.customGrad(((input: tf.Tensor) => ({
    value: causalMaskForward(input, fill),
    gradFunc: (dy: tf.Tensor) => causalMaskForward(dy, 0),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x);
}
