import * as tf from '@tensorflow/tfjs-core';
import { SasError, fmtShape, sameShape, type KernelFn, type OpName, type OpNode } from '@sas/core';

/** A tfjs kernel of op `N`: core's `KernelFn` over tfjs tensors; tfjs needs no context (`void`: call it with two arguments). */
export type TfjsKernel<N extends OpName> = KernelFn<tf.Tensor, void, N>;

/** A kernel body: tfjs ops on the input tensors; intermediates are freed by `defineKernel`. */
export type KernelBody<N extends OpName> = (inputs: readonly tf.Tensor[], node: OpNode<N>) => tf.Tensor;

/**
 * Wraps a kernel body into a core kernel over tfjs tensors: runs it in `tf.tidy`
 * (so only the result survives), hands back a NEW tensor even when the body
 * returns an input unchanged (the executor disposes every handle it is given),
 * and checks the result's shape against the node's, so a lowering bug is a
 * clear error instead of silently wrong numbers. A node whose output has no
 * elements gets an empty tensor of its shape without running the body: tfjs
 * ops mishandle zero-size shapes (`tf.broadcastTo` to `[0]` gives `[1]`, a
 * batched `tf.matMul` with an empty batch divides by zero), and an empty
 * output has no values to get wrong.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const Exp = defineKernel<'Exp'>(([x]) => tf.exp(x));
 * ```
 */
export function defineKernel<N extends OpName>(body: KernelBody<N>): TfjsKernel<N> {
  return (inputs, node) => {
    if (node.shape.includes(0)) return tf.zeros([...node.shape]);
    let out = tf.tidy(() => {
      const y = body(inputs, node);
      return y.dtype === 'float32' ? y : tf.cast(y, 'float32');
    });
    if (inputs.includes(out)) out = tf.clone(out);
    if (!sameShape(out.shape, node.shape)) {
      const shape = out.shape;
      out.dispose();
      throw new SasError('E_BACKEND', `tfjs kernel ${node.op} (node ${node.id}) produced shape ${fmtShape(shape)}, the graph expects ${fmtShape(node.shape)}`);
    }
    return out;
  };
}
