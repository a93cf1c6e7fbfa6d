// Zero-size tensors, answered at export time: ONNX Runtime mishandles them
// (it never returns from a Conv with zero input channels; FusedMatMul fails on
// [0,0,1]ᵀ·[1,0,1] and returns [1,4,1] for [1,4,0]·[2,0,1]). Shapes are
// static, so the exporter knows when a result is empty or an empty sum, and
// writes it as a constant instead of asking the runtime.

import { sizeOf, type Graph, type GraphNode } from '@sas/core';
import type { OnnxEmitter } from './emitter.js';

/**
 * The value name of `node`'s result when it needs no computation: an empty
 * tensor (an initializer with no data) when the result has no elements; zeros
 * (a scalar 0 expanded) when it is a sum over nothing: a MatMul whose inner
 * dimension is 0, a Conv1d with no input channels. Undefined otherwise.
 *
 * @example
 * ```ts
 * const name = constantResult(node, graph, e) ?? exporterFor(node.op)(inputs, node, { e, graph });
 * ```
 */
export function constantResult(node: GraphNode, graph: Graph, e: OnnxEmitter): string | undefined {
  if (sizeOf(node.shape) === 0) return e.floats([], node.shape);
  if (sumsOverNothing(node, graph)) return e.node('Expand', [e.floats([0], []), e.int64s(node.shape)]);
  return undefined;
}

function sumsOverNothing(node: GraphNode, graph: Graph): boolean {
  const shapeOf = (i: number) => graph.nodes[node.inputs[i]].shape;
  if (node.op === 'MatMul') {
    const a = shapeOf(0);
    return (node.attrs.transposeA ? a[a.length - 2] : a[a.length - 1]) === 0;
  }
  if (node.op === 'Conv1d') return shapeOf(0)[1] === 0;
  return false;
}
