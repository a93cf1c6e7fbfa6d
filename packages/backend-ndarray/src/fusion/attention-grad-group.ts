import { sizeOf, type AttentionOperand, type GraphNode, type OpNode } from '@sas/core';
import type { KernelContext } from '../context.js';
import type { Value } from '../deferred.js';
import { alloc, allocData, wrap, type NdHandle } from '../handle.js';
import { threadedAttentionGrads } from '../threads/attention-grad.js';
import { wasmAttentionGrads } from '../wasm/attention-grad.js';
import { attentionGrads } from './attention-grad.js';
import { rowView } from '../lib/rows.js';

/**
 * What the planner records on an `AttentionGrad` node: the sibling nodes
 * (same q, k, v, out, g, scale and mask) by the operand they differentiate,
 * so the first one to run computes all of them in one pass.
 */
export interface AttentionGradFusion {
  readonly kind: 'attention-grad';
  readonly siblings: ReadonlyMap<AttentionOperand, GraphNode>;
}

/** Results computed for a sibling that has not run yet, with the input values they came from. */
export type SiblingResults = WeakMap<GraphNode, { readonly inputs: readonly Value[]; readonly value: NdHandle }>;

/**
 * The value of AttentionGrad `node`: taken from `stash` when a sibling
 * already computed it from the same input values, else computed together
 * with every sibling's (stashing theirs). `siblings` absent: only this one.
 * Float32 runs on the SIMD runtime when the backend has one
 * (`wasmAttentionGrads`), else on `attentionGrads` through the gemm engine.
 *
 * @example
 * ```ts
 * // Called by the backend's lifted kernel for AttentionGrad nodes; see backend.ts.
 * ```
 */
export function attentionGradFor(
  inputs: readonly Value[],
  node: OpNode<'AttentionGrad'>,
  siblings: ReadonlyMap<AttentionOperand, GraphNode> | undefined,
  ctx: KernelContext,
  stash: SiblingResults,
): NdHandle {
  const ready = stash.get(node);
  if (ready) {
    stash.delete(node);
    if (ready.inputs.length === inputs.length && ready.inputs.every((x, i) => x === inputs[i])) return ready.value;
  }
  const { wrt, scale, causal } = node.attrs;
  const group = siblings ?? new Map([[wrt, node]]);
  const [q, k, v, out, g] = inputs.map(rowView);
  const shapes = Object.fromEntries([...group].map(([w, n]) => [w, n.shape]));
  const batchShape = out.batchShape;
  const operands = { q, k, v, out, g, batchShape, scale, causal };
  let grads: Partial<Record<AttentionOperand, NdHandle>>;
  if (ctx.wasm && node.dtype === 'float32' && [q, k, v, out, g].every((x) => x.data instanceof Float32Array)) {
    // With a parallel pool the heads are split across threads, which write the gradients in place:
    // shared storage, recycled from run to run like any other (fresh pages cost ~10 µs each on a VM).
    const threaded = !!ctx.pool?.parallel;
    grads = Object.fromEntries(
      [...group].map(([w, n]) => [w, threaded ? wrap(allocData('float32', sizeOf(n.shape), true), n.shape) : alloc('float32', n.shape)]),
    );
    const arrays = Object.fromEntries(Object.entries(grads).map(([w, h]) => [w, h!.data as Float32Array]));
    if (threaded) threadedAttentionGrads(ctx.pool!, ctx.wasm, operands, arrays);
    else wasmAttentionGrads(ctx.wasm, operands, arrays);
  } else grads = attentionGrads(operands, new Set(group.keys()), ctx.gemm, node.dtype, shapes); // float64, or no SIMD runtime: the JS loops either way
  for (const [w, n] of group) if (n !== node) stash.set(n, { inputs, value: grads[w]! });
  return grads[wrt]!;
}
