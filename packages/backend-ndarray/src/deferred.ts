import type { GraphNode } from '@sas/core';
import type { KernelContext } from './context.js';
import type { NdHandle } from './handle.js';

/** A kernel over materialised ndarray handles, given its backend's engines. */
export type NdKernel = (inputs: readonly NdHandle[], node: GraphNode, inputNodes: readonly GraphNode[], ctx: KernelContext) => NdHandle;

/**
 * A node whose computation is postponed because its only consumer can do
 * better with its inputs (the fused attention reads q, k, scale and mask from
 * a chain of these instead of a T×T score buffer). Anyone else asking for the
 * value gets it computed once by the node's own kernel.
 */
export class Deferred {
  private value: NdHandle | undefined;
  constructor(
    readonly node: GraphNode,
    readonly inputs: readonly Value[],
    readonly inputNodes: readonly GraphNode[],
    private readonly kernel: NdKernel,
    private readonly ctx: KernelContext,
  ) {}

  /** The node's value, computed on first use. */
  force(): NdHandle {
    if (this.value === undefined) this.value = this.kernel(this.inputs.map(materialize), this.node, this.inputNodes, this.ctx);
    return this.value;
  }
}

/** What the executor holds for a node: a handle, or a postponed computation. */
export type Value = NdHandle | Deferred;

/**
 * The ndarray behind a value, computing a deferred one if needed.
 *
 * @example
 * ```ts
 * import { materialize } from './deferred.js';
 * import { wrap } from './handle.js';
 * materialize(wrap(new Float32Array(2), [2])).size; // 2
 * ```
 */
export function materialize(v: Value): NdHandle {
  return v instanceof Deferred ? v.force() : v;
}
