import { SasError } from '../errors.js';
import { ownValue, printable } from '../names.js';
import { isLeaf, type Graph, type GraphNode } from '../ir/types.js';

/** Which nodes a run evaluates, in order, and when each value can be freed. */
export interface ExecutionPlan {
  /** Output name → node id, for the requested outputs. */
  readonly outputs: Readonly<Record<string, number>>;
  /** Node ids to evaluate, ascending (topological). */
  readonly order: readonly number[];
  /** Leaves (Input/Param) whose feeds the run needs. */
  readonly feeds: readonly GraphNode[];
  /** lastUse[id]: position in `order` after which node id is dead (−1 if it is an output). */
  readonly lastUse: ReadonlyMap<number, number>;
}

/**
 * Plans a run: keeps only ancestors of the requested outputs and records each
 * value's last consumer, so executors can release memory as they go.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, planExecution } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('y', exp(b.input('x', [3])));
 * planExecution(b.build()).order; // [0, 1]
 * ```
 */
export function planExecution(graph: Graph, outputNames?: readonly string[]): ExecutionPlan {
  const names = outputNames ?? Object.keys(graph.outputs);
  const outputs: Record<string, number> = {};
  for (const name of names) {
    const id = ownValue(graph.outputs, name);
    if (id === undefined)
      throw new SasError('E_GRAPH', `unknown output '${printable(name)}' (graph outputs: ${printable(Object.keys(graph.outputs).join(', ')) || 'none'})`);
    outputs[name] = id;
  }
  const live = new Set<number>();
  const stack = Object.values(outputs);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    stack.push(...graph.nodes[id].inputs);
  }
  const order = [...live].sort((a, b) => a - b);
  const lastUse = new Map<number, number>();
  order.forEach((id, position) => {
    for (const input of graph.nodes[id].inputs) lastUse.set(input, position);
  });
  for (const id of Object.values(outputs)) lastUse.set(id, -1);
  const feeds = order.map((id) => graph.nodes[id]).filter((n) => isLeaf(n.op) && n.op !== 'Constant');
  return { outputs, order, feeds, lastUse };
}
