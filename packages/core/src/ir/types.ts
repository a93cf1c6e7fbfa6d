import type { DType } from '../tensor.js';
import type { OpAttrs, OpName } from '../ops/table.js';

/** An attribute value of a node; JSON-representable by construction. */
export type AttrValue = number | boolean | string | readonly number[];

/** The attributes of a node, keyed by name. */
export type Attrs = Readonly<Record<string, AttrValue>>;

/** Shape and dtype of a value flowing along a graph edge. */
export interface TensorType {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * One node of a graph. Leaves are `Input` and `Param` (fed by `name` at run
 * time) and `Constant` (values stored in the graph); every other node applies
 * a primitive op from the op table to earlier nodes.
 */
export interface GraphNode extends TensorType {
  /** Index in `Graph.nodes`; every input id is smaller (nodes are topologically sorted). */
  readonly id: number;
  readonly op: string;
  readonly inputs: readonly number[];
  readonly attrs: Attrs;
}

/**
 * A node of op `N`, its attributes typed as the op declares them and in
 * canonical form (axes non-negative and sorted): what a kernel receives.
 * `GraphBuilder` and `graphFromJSON` guarantee both for every node they make.
 */
export interface OpNode<N extends OpName> extends GraphNode {
  readonly op: N;
  readonly attrs: OpAttrs<N>;
}

/**
 * True when `node` is a node of op `op`, narrowing it to `OpNode<N>` so its
 * attributes read typed: how code that walks a graph (fusion planners,
 * exporters) reads a node's attributes without casts.
 *
 * @example
 * ```ts
 * import { GraphBuilder, conv1d, isOpNode } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('y', conv1d(b.input('x', [1, 2, 8]), b.param('w', [3, 2, 3]), 1));
 * const node = b.build().nodes[2];
 * if (isOpNode(node, 'Conv1d')) node.attrs.pad; // 1, typed as a number
 * ```
 */
export function isOpNode<N extends OpName>(node: GraphNode, op: N): node is OpNode<N> {
  return node.op === op;
}

/** The node kinds that are not ops: values that enter the graph. */
export const LEAF_OPS = ['Input', 'Param', 'Constant'] as const;
export type LeafOp = (typeof LEAF_OPS)[number];

/** True for `Input`, `Param` and `Constant` nodes. */
export function isLeaf(op: string): op is LeafOp {
  return op === 'Input' || op === 'Param' || op === 'Constant';
}

/**
 * An immutable dataflow graph over tensors of one dtype, with named outputs.
 * Build one with `GraphBuilder`; check one with `verifyGraph`.
 */
export interface Graph {
  readonly dtype: DType;
  readonly nodes: readonly GraphNode[];
  /** Output name → node id. */
  readonly outputs: Readonly<Record<string, number>>;
}

/** Feed names of a graph's `Input` nodes, in node order. */
export function graphInputs(graph: Graph): GraphNode[] {
  return graph.nodes.filter((n) => n.op === 'Input');
}

/** A graph's `Param` nodes (trainable weights), in node order. */
export function graphParams(graph: Graph): GraphNode[] {
  return graph.nodes.filter((n) => n.op === 'Param');
}

/**
 * The feed name of an `Input` or `Param` node.
 *
 * @example
 * ```ts
 * import { GraphBuilder, leafName } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('y', b.input('x', [2]));
 * leafName(b.build().nodes[0]); // 'x'
 * ```
 */
export function leafName(node: GraphNode): string {
  // verifyGraph checks that a leaf's name is a non-empty string.
  return node.attrs.name as string;
}

/**
 * The values of a `Constant` node, flat and row-major.
 *
 * @example
 * ```ts
 * import { GraphBuilder, constantValues } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('c', b.constant([1, 2], [2]));
 * constantValues(b.build().nodes[0]); // [1, 2]
 * ```
 */
export function constantValues(node: GraphNode): readonly number[] {
  // verifyGraph checks that a constant's value is a list of numbers filling its shape.
  return node.attrs.value as readonly number[];
}
