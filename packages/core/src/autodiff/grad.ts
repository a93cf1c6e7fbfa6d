import { SasError } from '../errors.js';
import { ownValue } from '../names.js';
import { GraphBuilder, type NodeRef } from '../ir/builder.js';
import { isLeaf, leafName, type Graph } from '../ir/types.js';
import { add } from '../ops/Add.js';
import { broadcastTo } from '../ops/BroadcastTo.js';
import { getOp } from '../ops/table.js';
import { fmtShape, sameShape } from '../tensor.js';

/** Options of `grad`. */
export interface GradOptions {
  /** Names of the Input/Param leaves to differentiate with respect to (default: every Param). */
  readonly wrt?: readonly string[];
  /** Prefix of the gradient outputs (default 'grad.'): the gradient of `w` is output `grad.w`. */
  readonly prefix?: string;
}

/**
 * Reverse-mode differentiation over the graph: returns a new graph holding
 * every original output plus `grad.<name>` = ∂loss/∂name for each requested
 * leaf, built only from core ops through each op's VJP rule, so it runs on
 * every backend. The loss must be a scalar output.
 *
 * @example
 * ```ts
 * import { GraphBuilder, matMul, reduceSum, grad, evaluateReference, tensor } from '@sas/core';
 * const b = new GraphBuilder('float64');
 * const x = b.input('x', [1, 2]);
 * const w = b.param('w', [2, 1]);
 * b.output('loss', reduceSum(matMul(x, w), [0, 1]));
 * const g = grad(b.build(), 'loss');                      // adds output 'grad.w'
 * const out = await evaluateReference(g, { x: tensor([3, 4], [1, 2]), w: tensor([1, 1], [2, 1]) });
 * out['grad.w'].data; // [3, 4]
 * ```
 */
export function grad(graph: Graph, loss: string, options: GradOptions = {}): Graph {
  const lossId = ownValue(graph.outputs, loss);
  if (lossId === undefined) throw new SasError('E_GRAPH', `grad: the graph has no output '${loss}'`);
  const lossNode = graph.nodes[lossId];
  if (lossNode.shape.length !== 0) throw new SasError('E_SHAPE', `grad: loss '${loss}' must be a scalar, got shape ${fmtShape(lossNode.shape)}`);
  const leaves = new Map(graph.nodes.filter((n) => n.op === 'Input' || n.op === 'Param').map((n) => [leafName(n), n.id]));
  const wrt = options.wrt ?? graph.nodes.filter((n) => n.op === 'Param').map(leafName);
  for (const name of wrt) if (!leaves.has(name)) throw new SasError('E_GRAPH', `grad: no input or param named '${name}'`);
  const prefix = options.prefix ?? 'grad.';

  const { builder, refs } = GraphBuilder.from(graph);
  const relevant = relevantNodes(
    graph,
    lossId,
    wrt.map((n) => leaves.get(n)!),
  );
  const cotangents = backpropagate(graph, refs, relevant, lossId, builder);
  for (const name of wrt) {
    const id = leaves.get(name)!;
    const node = graph.nodes[id];
    const g = cotangents.get(id) ?? broadcastTo(builder.constant(0), node.shape);
    builder.output(`${prefix}${name}`, g);
  }
  return builder.build();
}

/** Nodes that lie on some path from a wrt leaf to the loss. */
function relevantNodes(graph: Graph, lossId: number, wrtIds: readonly number[]): Set<number> {
  const dependsOnWrt = new Set<number>(wrtIds);
  for (const node of graph.nodes) if (node.inputs.some((i) => dependsOnWrt.has(i))) dependsOnWrt.add(node.id);
  const relevant = new Set<number>();
  const stack = [lossId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (relevant.has(id) || !dependsOnWrt.has(id)) continue;
    relevant.add(id);
    stack.push(...graph.nodes[id].inputs);
  }
  return relevant;
}

/** Walks nodes in reverse topological order, applying VJPs and summing cotangents over fan-out. */
function backpropagate(graph: Graph, refs: readonly NodeRef[], relevant: Set<number>, lossId: number, builder: GraphBuilder): Map<number, NodeRef> {
  const cot = new Map<number, NodeRef>([[lossId, builder.constant(1)]]);
  for (let id = lossId; id >= 0; id--) {
    const g = cot.get(id);
    const node = graph.nodes[id];
    if (!g || !relevant.has(id) || isLeaf(node.op)) continue;
    const op = getOp(node.op);
    if (!op.vjp) throw new SasError('E_GRAPH', `grad: op '${node.op}' has no VJP rule`);
    const inputRefs = node.inputs.map((i) => refs[i]);
    const grads = op.vjp(g, inputRefs, refs[id], node.attrs);
    node.inputs.forEach((input, k) => {
      const gi = grads[k];
      if (!gi || !relevant.has(input)) return;
      if (!sameShape(gi.shape, graph.nodes[input].shape)) {
        throw new SasError('E_SHAPE', `grad: VJP of '${node.op}' gave ${fmtShape(gi.shape)} for an input of shape ${fmtShape(graph.nodes[input].shape)}`);
      }
      const prev = cot.get(input);
      cot.set(input, prev ? add(prev, gi) : gi);
    });
  }
  return cot;
}
