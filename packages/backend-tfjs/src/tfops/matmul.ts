import * as tf from '@tensorflow/tfjs-core';
import { broadcastShape, sizeOfShape } from './shape.js';
import { unbroadcastTo } from './unbroadcast.js';

/**
 * Why this file exists: on tfjs-wasm (4.22) only a plain 2-d, untransposed
 * `tf.matMul` reaches XNNPACK's GEMM. A transposed operand is ~10× slower and
 * a batch of more than one matrix ~15× slower (measured in
 * docs/backends/tfjs.md). So on wasm we
 * - transpose operands explicitly (a cheap copy) instead of passing flags,
 * - fold a batch against a shared right operand into one tall 2-d product,
 * - run a batch of large matrices (attention's T×T products) as one 2-d GEMM
 *   per matrix. The per-matrix operands are cut on the host: wasm memory is
 *   host memory, so one `dataSync` of each operand plus small uploads costs a
 *   few ms, whereas `tf.slice` re-reads the whole operand for every slice;
 * - run a batch of small matrices as one depthwise convolution (XNNPACK
 *   again): with the batch as channels, a window of width K over a's rows and
 *   the channel multiplier N, `depthwiseConv2d` computes
 *   out[m, g, n] = Σ_k a[g,m,k]·b[g,k,n].
 * Other tfjs backends (cpu, webgl, webgpu) get `tf.matMul` with its flags.
 */

/** Multiply-adds per matrix from which a wasm batch is split into 2-d GEMMs (below it the depthwise route wins). */
const HOST_SPLIT_MIN_WORK = 1 << 20;

function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB);
  return tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b);
}

/** [G, ·, ·] × [G, ·, ·] on wasm as one depthwise convolution (see the file comment). */
function batchedViaDepthwise(a: tf.Tensor3D, b: tf.Tensor3D, transposeA: boolean, transposeB: boolean): tf.Tensor3D {
  const g = a.shape[0];
  const [m, k] = transposeA ? [a.shape[2], a.shape[1]] : [a.shape[1], a.shape[2]];
  const n = transposeB ? b.shape[1] : b.shape[2];
  const x = tf.reshape(tf.transpose(a, transposeA ? [2, 1, 0] : [1, 2, 0]), [1, m, k, g]); // [1, M, K, G]
  const filter = tf.reshape(tf.transpose(b, transposeB ? [2, 0, 1] : [1, 0, 2]), [1, k, g, n]); // [1, K, G, N]
  const y = tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid'); // [1, M, 1, G·N]
  return tf.transpose(tf.reshape(y, [m, g, n]), [1, 0, 2]);
}

/** [G, ·, ·] × [G, ·, ·] on wasm as G plain 2-d GEMMs on host-cut operands (see the file comment). */
function batchedViaHostSplit(a: tf.Tensor3D, b: tf.Tensor3D, transposeA: boolean, transposeB: boolean): tf.Tensor3D {
  const g = a.shape[0];
  const left = transposeA ? tf.transpose(a, [0, 2, 1]) : a; // [G, M, K]
  const right = transposeB ? tf.transpose(b, [0, 2, 1]) : b; // [G, K, N]
  const [, m, k] = left.shape;
  const n = right.shape[2];
  const leftData = left.dataSync();
  const rightData = right.dataSync();
  const products: tf.Tensor2D[] = [];
  for (let i = 0; i < g; i++) {
    const ai = tf.tensor2d(leftData.subarray(i * m * k, (i + 1) * m * k), [m, k]);
    const bi = tf.tensor2d(rightData.subarray(i * k * n, (i + 1) * k * n), [k, n]);
    products.push(tf.matMul(ai, bi));
  }
  return tf.reshape(tf.concat(products, 0), [g, m, n]);
}

/** Broadcasts `x`'s batch axes to `batch` (only when they differ) and flattens them: [count, r, c]. */
function asBatch3d(x: tf.Tensor, batch: readonly number[]): tf.Tensor3D {
  const [r, c] = x.shape.slice(-2);
  const count = sizeOfShape(batch);
  const full = sizeOfShape(x.shape.slice(0, -2)) === count ? x : tf.broadcastTo(x, [...batch, r, c]);
  return tf.reshape(full, [count, r, c]);
}

/**
 * Batched matrix product with numpy batch broadcasting, the semantics of the
 * core op MatMul, choosing the fastest tfjs formulation for the active
 * backend. Forward only: see `matMul` for the differentiable version.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * matMulForward(tf.ones([4, 2, 3]), tf.ones([5, 3]), false, true).shape; // [4, 2, 5]
 * ```
 */
export function matMulForward(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  return tf.tidy(() => {
    const [ar, ac] = a.shape.slice(-2);
    const [br, bc] = b.shape.slice(-2);
    const [m, k] = transposeA ? [ac, ar] : [ar, ac];
    const n = transposeB ? br : bc;
    const aBatch = a.shape.slice(0, -2);
    const bBatch = b.shape.slice(0, -2);
    const batch = broadcastShape(aBatch, bBatch);
    const outShape = [...batch, m, n];
    // Empty products: XNNPACK rejects K = 0 (and would return garbage), so answer directly.
    if (k === 0 || sizeOfShape(outShape) === 0) return tf.zeros(outShape);
    const count = sizeOfShape(batch);
    if (sizeOfShape(bBatch) === 1 && !transposeA) {
      // One right-hand matrix for the whole batch: fold a's batch into its rows.
      const rows = tf.reshape(a, [sizeOfShape(aBatch) * m, k]) as tf.Tensor2D;
      return tf.reshape(matMul2d(rows, tf.reshape(b, [br, bc]) as tf.Tensor2D, false, transposeB), outShape);
    }
    const a3 = asBatch3d(a, batch);
    const b3 = asBatch3d(b, batch);
    if (count === 1) {
      return tf.reshape(matMul2d(tf.reshape(a3, [ar, ac]) as tf.Tensor2D, tf.reshape(b3, [br, bc]) as tf.Tensor2D, transposeA, transposeB), outShape);
    }
    let product: tf.Tensor3D;
    if (tf.getBackend() !== 'wasm') product = tf.matMul(a3, b3, transposeA, transposeB);
    else if (m * k * n >= HOST_SPLIT_MIN_WORK) product = batchedViaHostSplit(a3, b3, transposeA, transposeB);
    else product = batchedViaDepthwise(a3, b3, transposeA, transposeB);
    return tf.reshape(product, outShape);
  });
}

/** Rows of a tensor whose last axis has `cols` entries, as a 2-d matrix. */
function rowsOf(x: tf.Tensor, cols: number): tf.Tensor2D {
  return tf.reshape(x, [x.size / cols, cols]);
}

/**
 * Input cotangents of `a·b` (with the flags), reduced back to the operand
 * shapes. The common layer case, a batch against one shared weight matrix, sums
 * over the batch inside a single folded 2-d product instead of making a batch
 * of weight gradients first.
 */
function matMulVjp(dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): [tf.Tensor, tf.Tensor] {
  const [da, dbTable] = VJP_RULES[`${transposeA}${transposeB}`](dy, a, b);
  let db: tf.Tensor;
  if (sizeOfShape(b.shape.slice(0, -2)) === 1 && !transposeA) {
    // db = Σ over a's batch: one product of the folded rows of a and dy.
    const k = a.shape[a.rank - 1];
    const n = dy.shape[dy.rank - 1];
    db = transposeB ? matMulForward(rowsOf(dy, n), rowsOf(a, k), true, false) : matMulForward(rowsOf(a, k), rowsOf(dy, n), true, false);
  } else {
    db = dbTable();
  }
  return [unbroadcastTo(da, a.shape), unbroadcastTo(db, b.shape)];
}

/** The four VJP cases of core's MatMul: da now, db on demand (the folded form may replace it). */
const VJP_RULES: Record<string, (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => [tf.Tensor, () => tf.Tensor]> = {
  falsefalse: (dy, a, b) => [matMulForward(dy, b, false, true), () => matMulForward(a, dy, true, false)],
  falsetrue: (dy, a, b) => [matMulForward(dy, b, false, false), () => matMulForward(dy, a, true, false)],
  truefalse: (dy, a, b) => [matMulForward(b, dy, false, true), () => matMulForward(a, dy, false, false)],
  truetrue: (dy, a, b) => [matMulForward(b, dy, true, true), () => matMulForward(dy, a, true, true)],
};

/**
 * Differentiable batched matrix product (the core op MatMul) on any tfjs
 * backend. The gradient is our own: the wasm backend has no backprop kernels
 * for the depthwise convolution the forward may use, and the VJP products
 * themselves take the fast routes of `matMulForward`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const w = tf.variable(tf.ones([3, 5]));
 * const grads = tf.variableGrads(() => tf.sum(matMul(tf.ones([2, 4, 3]), w)));
 * grads.grads[w.name].shape; // [3, 5]
 * ```
 */
export function matMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  const op = tf.customGrad(((x: tf.Tensor, y: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, y]);
    return {
      value: matMulForward(x, y, transposeA, transposeB),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => matMulVjp(dy, saved[0], saved[1], transposeA, transposeB),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(a, b);
}
