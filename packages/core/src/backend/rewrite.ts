// Graph rewrites as data: a backend declares its fusions as patterns over the
// (lowered) graph; each match becomes a backend-private fused node whose kernel
// the executor calls in place of the matched root's own. Applied once per graph
// and cached by the executor (kernel-backend.ts).

import type { Graph, GraphNode } from '../ir/types.js';

/**
 * What a node must look like to match, tinygrad-style: an op (or several),
 * sub-patterns for its inputs, and predicates. Every field is optional; the
 * empty pattern matches any node.
 */
export interface Pattern {
  /** The node's op, or one of these ops. */
  readonly op?: GraphNode['op'] | readonly GraphNode['op'][];
  /** Patterns for the node's inputs, by position (fewer than its inputs: the rest are free). */
  readonly inputs?: readonly Pattern[];
  /** With two input patterns: also try them with the node's two inputs swapped (Add, Mul). */
  readonly commutative?: boolean;
  /** The node is read by exactly one consumer and is not a graph output (so a fusion may absorb it). */
  readonly single?: boolean;
  /** The node is not yet absorbed by, nor the root of, an earlier fused node. */
  readonly free?: boolean;
  /** A predicate on the node's attributes, shape or consumers. */
  readonly where?: (node: GraphNode, view: GraphView) => boolean;
  /** Records the matched node under this name in the match. */
  readonly name?: string;
}

/** The graph as rewrites see it: uses, readers, and what earlier rewrites made of each node. */
export interface GraphView {
  readonly graph: Graph;
  readonly nodes: readonly GraphNode[];
  /** Consumers of node `id` plus one per graph output it is. */
  uses(id: number): number;
  /** The distinct nodes reading node `id`. */
  readers(id: number): readonly GraphNode[];
  /** The fused node rooted at `id`, if an earlier match made one. */
  fused(id: number): FusedNode<FusedPayload> | undefined;
  /** True when an earlier match absorbed node `id` into a fused node. */
  absorbed(id: number): boolean;
}

/** Nodes a match bound, by pattern name; `root` is the node the whole pattern matched. */
export type Match = Readonly<Record<string, GraphNode>> & { readonly root: GraphNode };

/** A backend's payload of a fused node: a `kind` naming its fused kernel, and what that kernel needs. */
export interface FusedPayload {
  readonly kind: string;
}

/**
 * A backend-private node made by a rewrite: the executor computes `root`
 * with the fused kernel of `payload.kind` instead of the root's own, and
 * never allocates the `absorbs` nodes (the backend decides what reading one
 * returns: typically a lazy value the fused kernel reads through).
 */
export interface FusedNode<F extends FusedPayload> {
  readonly root: number;
  /** Nodes whose values the fused kernel computes on the way, or reads through: not allocated. */
  readonly absorbs: readonly number[];
  readonly payload: F;
  /** Shapes of scratch tensors the fused kernel allocates besides its output (checked against the backend's capacity). */
  readonly allocates?: readonly (readonly number[])[];
}

/**
 * One fusion: a pattern, and the fused node a match becomes (`undefined`:
 * the match is declined after all). A rewrite may also replace a node an
 * earlier rewrite made root (an epilogue folding onto a product): the new
 * fused node takes over the old one's absorbed nodes only if it lists them.
 */
export interface Rewrite<F extends FusedPayload> {
  /** For profiles and errors, e.g. 'gate'. */
  readonly name: string;
  readonly pattern: Pattern;
  build(match: Match, view: GraphView): FusedNode<F> | undefined;
}

/** The result of applying rewrites to a graph: fused nodes by root id, and every absorbed node id. */
export interface RewritePlan<F extends FusedPayload> {
  readonly fused: ReadonlyMap<number, FusedNode<F>>;
  readonly absorbed: ReadonlySet<number>;
}

/** A plan that fuses nothing. */
export const NO_REWRITES: RewritePlan<never> = Object.freeze({ fused: new Map<number, never>(), absorbed: new Set<number>() });

/**
 * Matches `pattern` at `node`: the named nodes, or undefined.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, relu, matchPattern, graphView } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('y', exp(relu(b.input('x', [2]))));
 * const g = b.build();
 * matchPattern({ op: 'Exp', inputs: [{ op: 'Relu', single: true, name: 'r' }] }, g.nodes[2], graphView(g))?.r.id; // 1
 * ```
 */
export function matchPattern(pattern: Pattern, node: GraphNode, view: GraphView): Match | undefined {
  const bound: Record<string, GraphNode> = {};
  return bind(pattern, node, view, bound) ? ({ ...bound, root: node } as Match) : undefined;
}

function bind(p: Pattern, node: GraphNode, view: GraphView, bound: Record<string, GraphNode>): boolean {
  if (p.op !== undefined && (typeof p.op === 'string' ? node.op !== p.op : !p.op.includes(node.op))) return false;
  if (p.single && view.uses(node.id) !== 1) return false;
  if (p.free && (view.absorbed(node.id) || view.fused(node.id) !== undefined)) return false;
  if (p.name !== undefined && bound[p.name] !== undefined && bound[p.name] !== node) return false;
  const inputs = p.inputs ?? [];
  if (inputs.length > node.inputs.length) return false;
  const orders = p.commutative && inputs.length === 2 && node.inputs.length === 2 ? [node.inputs, [node.inputs[1], node.inputs[0]]] : [node.inputs];
  for (const ids of orders) {
    const trial = { ...bound };
    if (inputs.every((sub, i) => bind(sub, view.nodes[ids[i]], view, trial))) {
      if (p.where && !p.where(node, view)) continue;
      if (p.name !== undefined) trial[p.name] = node;
      Object.assign(bound, trial);
      return true;
    }
  }
  return false;
}

/**
 * The view rewrites match against, over `graph` and the fused nodes made so far.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, graphView } from '@sas/core';
 * const b = new GraphBuilder();
 * const x = b.input('x', [2]);
 * b.output('y', exp(x));
 * graphView(b.build()).uses(0); // 1
 * ```
 */
export function graphView(graph: Graph, fused: ReadonlyMap<number, FusedNode<FusedPayload>> = new Map(), absorbed: ReadonlySet<number> = new Set()): GraphView {
  const uses = new Array<number>(graph.nodes.length).fill(0);
  const readers = graph.nodes.map(() => [] as GraphNode[]);
  for (const node of graph.nodes) {
    for (const input of new Set(node.inputs)) {
      uses[input]++;
      readers[input].push(node);
    }
  }
  for (const id of Object.values(graph.outputs)) uses[id]++;
  return {
    graph,
    nodes: graph.nodes,
    uses: (id) => uses[id],
    readers: (id) => readers[id],
    fused: (id) => fused.get(id),
    absorbed: (id) => absorbed.has(id),
  };
}

/**
 * Applies `rewrites` in order, each over every node in topological order (so
 * an inner match is made before an outer one that folds it in), and returns
 * the fused nodes and absorbed ids. A later fused node whose root or absorbed
 * nodes were fused earlier replaces those (e.g. `add(matmul, b)` then
 * `relu(that)`); a node it absorbs stops being a root.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, relu, applyRewrites } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('y', exp(relu(b.input('x', [2]))));
 * const plan = applyRewrites(b.build(), [
 *   { name: 'exp-relu', pattern: { op: 'Exp', inputs: [{ op: 'Relu', single: true, name: 'r' }] },
 *     build: (m) => ({ root: m.root.id, absorbs: [m.r.id], payload: { kind: 'exp-relu' } }) },
 * ]);
 * plan.fused.get(2)?.payload.kind; // 'exp-relu'
 * plan.absorbed.has(1); // true
 * ```
 */
export function applyRewrites<F extends FusedPayload>(graph: Graph, rewrites: readonly Rewrite<F>[]): RewritePlan<F> {
  const fused = new Map<number, FusedNode<F>>();
  const absorbed = new Set<number>();
  const view = graphView(graph, fused, absorbed);
  for (const rewrite of rewrites) {
    for (const node of graph.nodes) {
      const match = matchPattern(rewrite.pattern, node, view);
      if (!match) continue;
      const made = rewrite.build(match, view);
      if (made) addFused(made, fused, absorbed);
    }
  }
  return { fused, absorbed };
}

/**
 * Records one fused node (as `applyRewrites` does for each match): its
 * absorbed nodes stop being roots, and its root stops being absorbed. For
 * backends that build plans with their own passes.
 *
 * @example
 * ```ts
 * import { addFused } from '@sas/core';
 * const fused = new Map();
 * const absorbed = new Set<number>();
 * addFused({ root: 2, absorbs: [1], payload: { kind: 'k' } }, fused, absorbed);
 * absorbed.has(1); // true
 * ```
 */
export function addFused<F extends FusedPayload>(made: FusedNode<F>, fused: Map<number, FusedNode<F>>, absorbed: Set<number>): void {
  for (const id of made.absorbs) {
    fused.delete(id);
    absorbed.add(id);
  }
  absorbed.delete(made.root);
  fused.set(made.root, made);
}
