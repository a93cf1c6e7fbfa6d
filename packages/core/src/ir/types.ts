import type { DType } from '../tensor.js';

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

/** The feed name of an `Input` or `Param` node. */
export function leafName(node: GraphNode): string {
  return node.attrs.name as string;
}
