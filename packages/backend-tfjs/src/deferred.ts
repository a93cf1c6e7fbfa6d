import * as tf from '@tensorflow/tfjs-core';
import { applyRewrites, isOpNode, mapKernels, type FusionSpec, type KernelTable, type Rewrite } from '@sas/core';
import { matMulForward } from './tfops/matmul.js';
import { sizeOfShape } from './tfops/shape.js';

/**
 * A batched MatMul whose product is postponed, because its consumer may
 * need far less than the whole product (absorbed by `BATCH_CONTRACTION`). Core's VJP of a batch against a
 * shared weight, `ReduceSum(MatMul(aᵀ, g), batch axes)`, would otherwise build
 * one weight-sized matrix per batch element first: for PEAA's dense layer at
 * T = 512 that is [1, 512, 768, 768], 1.2 GB, which overflows tfjs-wasm's heap.
 * A ReduceSum over exactly the batch axes folds the batch into the
 * contraction instead (one GEMM, no intermediate); if anything else asks,
 * it gets the product computed once, as the MatMul kernel would have.
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

/** The fused node of `BATCH_CONTRACTION`: a ReduceSum computed from the absorbed product's operands. */
export interface BatchContraction {
  readonly kind: 'batch-contraction';
}

/**
 * `ReduceSum(MatMul(a, b), every batch axis)` where the batched product is
 * larger than its operands, both operands carry the whole batch (nothing
 * broadcast) and the ReduceSum is the product's only reader: the MatMul is
 * absorbed (a `DeferredProduct`) and the sum folds the batch into the
 * contraction, so the per-batch products are never built.
 *
 * @example
 * ```ts
 * import { applyRewrites, GraphBuilder, matMul, reduceSum } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('s', reduceSum(matMul(b.input('a', [4, 2, 16]), b.input('g', [4, 2, 8]), true, false), [0]));
 * applyRewrites(b.build(), [BATCH_CONTRACTION]).absorbed.has(2); // true
 * ```
 */
export const BATCH_CONTRACTION: Rewrite<BatchContraction> = {
  name: 'batch-contraction',
  pattern: {
    op: 'ReduceSum',
    free: true,
    inputs: [
      {
        op: 'MatMul',
        single: true,
        free: true,
        name: 'product',
        where: (mm, view) => {
          const batch = sizeOfShape(mm.shape.slice(0, -2));
          const [a, b] = mm.inputs.map((id) => view.nodes[id].shape);
          return (
            mm.shape.length > 2 &&
            batch > 1 &&
            sizeOfShape(mm.shape) > sizeOfShape(a) + sizeOfShape(b) &&
            sizeOfShape(a.slice(0, -2)) === batch &&
            sizeOfShape(b.slice(0, -2)) === batch
          );
        },
      },
    ],
    where: (rs, view) => isOpNode(rs, 'ReduceSum') && isLeadingAxes(rs.attrs.axes, view.nodes[rs.inputs[0]].shape.length - 2),
  },
  build: (m) => ({ root: m.root.id, absorbs: [m.product.id], payload: { kind: 'batch-contraction' } }),
};

/**
 * The backend's kernel table over executor values: `kernels` on
 * materialised inputs.
 *
 * @example
 * ```ts
 * import { TFJS_KERNELS } from './kernels/index.js';
 * const table = overValues(TFJS_KERNELS);
 * ```
 */
export function overValues(kernels: KernelTable<tf.Tensor, void>): KernelTable<TfjsValue, void> {
  return mapKernels<tf.Tensor, void, TfjsValue, void>(kernels, (_op, kernel) => (inputs, node) => kernel(inputs.map(materialize), node));
}

/**
 * The tfjs backend's fusion through core's rewrite hook: `BATCH_CONTRACTION`,
 * its absorbed MatMul held as a `DeferredProduct`, and the folded sum as its
 * fused kernel.
 *
 * @example
 * ```ts
 * TFJS_FUSION.kernels['batch-contraction']; // the folded ReduceSum
 * ```
 */
export const TFJS_FUSION: FusionSpec<TfjsValue, void, BatchContraction> = {
  plan: (graph) => applyRewrites(graph, [BATCH_CONTRACTION]),
  kernels: {
    'batch-contraction': (inputs, node) => {
      const [x] = inputs;
      if (!(x instanceof DeferredProduct)) return undefined;
      const folded = x.sumOverBatch();
      if (!folded) return undefined;
      const out = tf.reshape(folded, [...node.shape]);
      folded.dispose();
      return out;
    },
  },
  absorb: (inputs, node, _ctx, own) => {
    if (!isOpNode(node, 'MatMul')) return own(inputs);
    return new DeferredProduct(materialize(inputs[0]), materialize(inputs[1]), node.attrs.transposeA, node.attrs.transposeB, node.shape);
  },
};
