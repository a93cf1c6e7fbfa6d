import type { GraphNode, KernelFn, OpName } from '@sas/core';
import type { KernelContext } from './context.js';
import type { NdHandle } from './handle.js';

/** A kernel of op `N` over materialised ndarray handles, given its backend's engines: core's `KernelFn`. */
export type NdKernel<N extends OpName> = KernelFn<NdHandle, KernelContext, N>;

/**
 * A node whose computation is postponed because its only consumer can do
 * better with its inputs (the fused attention reads q, k, scale and mask from
 * a chain of these instead of a T×T score buffer). Anyone else asking for the
 * value gets it computed once by the node's own kernel.
 */
export class Deferred {
  private value: NdHandle | undefined;
  /** `compute` runs the node's own kernel on the materialised inputs. */
  constructor(
    readonly node: GraphNode,
    readonly inputs: readonly Value[],
    private readonly compute: (inputs: readonly NdHandle[]) => NdHandle,
  ) {}

  /**
   * Sets the value ahead of any use: a fused kernel that computed this node
   * on the way to its own (an elementwise group's stored member) hands it
   * over, so readers outside the group never recompute it.
   */
  resolve(value: NdHandle): void {
    this.value = value;
  }

  /** The node's value, computed on first use. */
  force(): NdHandle {
    if (this.value === undefined) this.value = this.compute(this.inputs.map(materialize));
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
