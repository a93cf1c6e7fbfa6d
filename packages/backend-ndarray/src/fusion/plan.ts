import type { Graph, GraphNode } from '@sas/core';

/** What the fused attention kernel needs to know beyond its input values. */
export interface AttentionFusion {
  readonly kind: 'attention';
  /** The scores scale (1 when there is no Mul). */
  readonly scale: number;
  readonly causal: boolean;
  /** Node ids of the q and k operands of the scores MatMul, and of v. */
  readonly q: number;
  readonly k: number;
  readonly v: number;
}

/** A node's part in a fusion: computed later by its consumer, or the fused consumer itself. */
export type FusionRole = { readonly kind: 'defer' } | AttentionFusion;

const DEFER: FusionRole = Object.freeze({ kind: 'defer' });

/** The single value of a size-1 Constant node, or undefined. */
function scalarConstant(node: GraphNode): number | undefined {
  const value = node.attrs.value as readonly number[] | undefined;
  return node.op === 'Constant' && value?.length === 1 ? value[0] : undefined;
}

/**
 * Finds `softmax(causalMask?(q·kᵀ · c)) · v` chains (what `scaledDotProductAttention`
 * builds) whose intermediates feed nothing else and are not outputs. Their
 * intermediate nodes are deferred and the final MatMul becomes one fused
 * attention kernel, so no [.., Tq, Tk] score tensor is ever stored. Gradient
 * graphs reuse the probabilities, so their chains are left alone.
 *
 * @example
 * ```ts
 * import { buildLayer } from '@sas/core';
 * import { planFusion } from './plan.js';
 * const g = buildLayer({ kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true });
 * [...planFusion(g).values()].filter((r) => r.kind === 'attention').length; // 1
 * ```
 */
export function planFusion(graph: Graph): Map<GraphNode, FusionRole> {
  const nodes = graph.nodes;
  const uses = new Array<number>(nodes.length).fill(0);
  for (const node of nodes) for (const input of new Set(node.inputs)) uses[input]++;
  for (const id of Object.values(graph.outputs)) uses[id]++;
  const single = (id: number) => uses[id] === 1;
  const roles = new Map<GraphNode, FusionRole>();

  for (const out of nodes) {
    if (out.op !== 'MatMul' || out.attrs.transposeA !== false || out.attrs.transposeB !== false) continue;
    const chain: GraphNode[] = [];
    let id = out.inputs[0];
    if (nodes[id].op !== 'Softmax' || !single(id)) continue;
    chain.push(nodes[id]);
    id = nodes[id].inputs[0];
    let causal = false;
    if (nodes[id].op === 'CausalMask' && nodes[id].attrs.fill === 'neg-inf' && single(id)) {
      causal = true;
      chain.push(nodes[id]);
      id = nodes[id].inputs[0];
    }
    let scale = 1;
    if (nodes[id].op === 'Mul' && single(id)) {
      const [a, b] = nodes[id].inputs;
      const ca = scalarConstant(nodes[a]);
      const cb = scalarConstant(nodes[b]);
      const scoresId = ca !== undefined ? b : cb !== undefined ? a : -1;
      // The constant must not broadcast the scores to a bigger shape.
      if (scoresId < 0 || nodes[scoresId].shape.length !== nodes[id].shape.length) continue;
      scale = (ca ?? cb)!;
      chain.push(nodes[id]);
      id = scoresId;
    }
    const scores = nodes[id];
    if (scores.op !== 'MatMul' || scores.attrs.transposeA !== false || scores.attrs.transposeB !== true || !single(id)) continue;
    chain.push(scores);
    for (const n of chain) roles.set(n, DEFER);
    roles.set(out, { kind: 'attention', scale, causal, q: scores.inputs[0], k: scores.inputs[1], v: out.inputs[1] });
  }
  return roles;
}
