import type { GraphNode } from '@sas/core';
import { Deferred, materialize, type Value } from '../deferred.js';
import { alloc, type NdHandle } from '../handle.js';

/** A Mul of a cotangent by Step(x) (Relu's VJP) computed in one pass; the Step is deferred. */
export interface GateFusion {
  readonly kind: 'gate';
  /** Node id of the Step. */
  readonly step: number;
}

/**
 * `g · step(x)` in one pass over same-shaped g and x, without storing
 * step(x): the VJP of Relu. Each element is exactly `g · s` with s = 1, 0
 * or NaN as the Step kernel gives, so results equal the unfused pair's.
 * Returns undefined when the inputs are not the planned pair.
 *
 * @example
 * ```ts
 * // Called by the backend for Mul nodes `planFusion` marks as gates; see backend.ts.
 * ```
 */
export function gateFromChain(inputs: readonly Value[], node: GraphNode, role: GateFusion): NdHandle | undefined {
  const k = inputs.findIndex((v) => v instanceof Deferred && v.node.id === role.step);
  if (k < 0) return undefined;
  const x = materialize((inputs[k] as Deferred).inputs[0]).data;
  const g = materialize(inputs[1 - k]).data;
  const out = alloc(node.dtype, node.shape);
  const y = out.data;
  if (x.length !== y.length || g.length !== y.length) return undefined;
  // `+(v > 0)` compiles to a compare, not a branch: x's signs are random in a layer, and a
  // mispredicted branch per element made this loop twice as slow. NaN (rare) keeps its branch.
  for (let i = 0; i < y.length; i++) {
    const v = x[i];
    y[i] = g[i] * (v !== v ? NaN : +(v > 0));
  }
  return out;
}
