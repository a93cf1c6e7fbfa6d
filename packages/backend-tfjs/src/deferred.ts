import * as tf from '@tensorflow/tfjs-core';
import { mapKernels, type KernelTable } from '@sas/core';
import { matMulForward } from './tfops/matmul.js';
import { sizeOfShape } from './tfops/shape.js';

/**
 * A batched MatMul whose product is postponed, because its consumer may
 * need far less than the whole product. Core's VJP of a batch against a
 * shared weight, `ReduceSum(MatMul(aᵀ, g), batch axes)`, would otherwise build
 * one weight-sized matrix per batch element first: for PEAA's dense layer at
 * T = 512 that is [1, 512, 768, 768], 1.2 GB, which overflows tfjs-wasm's heap.
 * A ReduceSum over exactly the batch axes folds the batch into the
 * contraction instead (one GEMM, no intermediate); any other consumer gets
 * the product computed once, as the MatMul kernel would have.
 */
export class DeferredProduct {
  private product: tf.Tensor | undefined;
  private readonly a: tf.Tensor;
  private readonly b: tf.Tensor;

  constructor(
    a: tf.Tensor,
    b: tf.Tensor,
    readonly transposeA: boolean,
    readonly transposeB: boolean,
    readonly shape: readonly number[],
  ) {
    // Own references: the executor frees the MatMul's inputs after their last use.
    this.a = tf.clone(a);
    this.b = tf.clone(b);
  }

  /** The product, computed on first use and kept until `dispose`. */
  value(): tf.Tensor {
    this.product ??= matMulForward(this.a, this.b, this.transposeA, this.transposeB);
    return this.product;
  }

  /**
   * Σ over every batch axis of the product, as one 2-d product with the batch
   * folded into K, or undefined when an operand was broadcast in the batch.
   */
  sumOverBatch(): tf.Tensor | undefined {
    const nb = this.shape.length - 2;
    const count = sizeOfShape(this.shape.slice(0, nb));
    if (sizeOfShape(this.a.shape.slice(0, -2)) !== count || sizeOfShape(this.b.shape.slice(0, -2)) !== count) return undefined;
    return tf.tidy(() => {
      // Contraction index (batch, k). K-major operands reshape directly; the others move the batch next to K first.
      const batchNextToK = (x: tf.Tensor) => {
        const [r, c] = x.shape.slice(-2);
        const x3 = tf.reshape(x, [count, r, c]);
        return tf.reshape(tf.transpose(x3, [1, 0, 2]), [r, count * c]);
      };
      const kMajor = (x: tf.Tensor) => tf.reshape(x, [count * x.shape[x.rank - 2], x.shape[x.rank - 1]]);
      const left = this.transposeA ? kMajor(this.a) : batchNextToK(this.a); // [R, M] or [M, R]
      const right = this.transposeB ? batchNextToK(this.b) : kMajor(this.b); // [N, R] or [R, N]
      return matMulForward(left, right, this.transposeA, this.transposeB);
    });
  }

  dispose(): void {
    tf.dispose([this.a, this.b]);
    this.product?.dispose();
  }
}

/** What the tfjs backend's executor holds for a node. */
export type TfjsValue = tf.Tensor | DeferredProduct;

/**
 * The tensor behind a value (computing a deferred product once).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * materialize(tf.ones([2])).shape; // [2]
 * ```
 */
export function materialize(v: TfjsValue): tf.Tensor {
  return v instanceof DeferredProduct ? v.value() : v;
}

function isLeadingAxes(axes: readonly number[], count: number): boolean {
  return axes.length === count && [...axes].sort((x, y) => x - y).every((axis, i) => axis === i);
}

/**
 * The backend's kernel table: `kernels` over materialised inputs, except that
 * a batched MatMul whose product outgrows its operands is deferred, and a
 * ReduceSum of a deferred product over exactly its batch axes is folded.
 *
 * @example
 * ```ts
 * import { TFJS_KERNELS } from './kernels/index.js';
 * const table = withDeferredProducts(TFJS_KERNELS);
 * ```
 */
export function withDeferredProducts(kernels: KernelTable<tf.Tensor, void>): KernelTable<TfjsValue, void> {
  const table = mapKernels<tf.Tensor, void, TfjsValue, void>(kernels, (_op, kernel) => (inputs, node) => kernel(inputs.map(materialize), node));
  const MatMul: KernelTable<TfjsValue, void>['MatMul'] = (inputs, node) => {
    const [a, b] = inputs.map(materialize);
    const batched = node.shape.length > 2 && sizeOfShape(node.shape.slice(0, -2)) > 1;
    if (batched && sizeOfShape(node.shape) > a.size + b.size) {
      return new DeferredProduct(a, b, node.attrs.transposeA, node.attrs.transposeB, node.shape);
    }
    return kernels.MatMul([a, b], node);
  };
  const ReduceSum: KernelTable<TfjsValue, void>['ReduceSum'] = (inputs, node) => {
    const [x] = inputs;
    if (x instanceof DeferredProduct && isLeadingAxes(node.attrs.axes, x.shape.length - 2)) {
      const folded = x.sumOverBatch();
      if (folded) {
        const out = tf.reshape(folded, [...node.shape]);
        folded.dispose();
        return out;
      }
    }
    return kernels.ReduceSum([materialize(x)], node);
  };
  return { ...table, MatMul, ReduceSum };
}
