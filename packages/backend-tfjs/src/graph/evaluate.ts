import * as tf from '@tensorflow/tfjs-core';
import { constantValues, fmtShape, kernelFor, leafName, lowerGraph, planExecution, SasError, sameShape, type Graph } from '@sas/core';
import { TFJS_KERNELS } from '../kernels/index.js';

const hasKernel = (op: string) => kernelFor(TFJS_KERNELS, op) !== undefined;

/**
 * Evaluates a core graph on live tfjs tensors with the tfjs kernels and
 * returns the requested outputs as tfjs tensors. Unlike the `Backend`, it
 * disposes nothing and never leaves tfjs: every value is a tfjs op result,
 * so tfjs autodiff (`tf.grads`, `model.fit`) differentiates straight through
 * it. Call it inside `tf.tidy` (or a layer's `call`) to free intermediates.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { GraphBuilder, exp } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('y', exp(b.input('x', [2])));
 * const { y } = evaluateOnTensors(b.build(), { x: tf.tensor1d([0, 1]) }); // [1, e]
 * ```
 */
export function evaluateOnTensors(graph: Graph, feeds: Readonly<Record<string, tf.Tensor>>, outputs?: readonly string[]): Record<string, tf.Tensor> {
  const g = lowerGraph(graph, hasKernel, 'tfjs');
  const plan = planExecution(g, outputs);
  const values = new Map<number, tf.Tensor>();
  for (const id of plan.order) {
    const node = g.nodes[id];
    if (node.op === 'Input' || node.op === 'Param') {
      const name = leafName(node);
      const t = feeds[name];
      if (!t) throw new SasError('E_INPUT', `missing feed '${name}' (${node.op} ${fmtShape(node.shape)})`);
      if (!sameShape(t.shape, node.shape)) throw new SasError('E_SHAPE', `feed '${name}': expected shape ${fmtShape(node.shape)}, got ${fmtShape(t.shape)}`);
      values.set(id, t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
    } else if (node.op === 'Constant') {
      values.set(id, tf.tensor([...constantValues(node)], [...node.shape], 'float32'));
    } else {
      // Lowering left only ops with kernels.
      const kernel = kernelFor(TFJS_KERNELS, node.op)!;
      values.set(
        id,
        kernel(
          node.inputs.map((i) => values.get(i)!),
          node,
        ),
      );
    }
  }
  return Object.fromEntries(Object.entries(plan.outputs).map(([name, id]) => [name, values.get(id)!]));
}
