import type { GraphNode } from '@sas/core';
import { Deferred, materialize, type Value } from '../deferred.js';
import { alloc, type FloatData, type NdHandle } from '../handle.js';
import { beforeRelu } from './relu-read.js';
import type { KernelContext } from '../context.js';
import { gateRange } from '../lib/gate-loop.js';
import { isShared } from '../threads/shared.js';
import { runGateChunk, type GateTask } from '../threads/tasks.js';

/** Elements at least for the threads to share a gate (waking a worker costs ~0.1 ms; a million elements take ~3 ms). */
const GATE_THREAD_MIN = 1 << 18;

/**
 * A Mul of a cotangent by Step(x) (Relu's VJP) computed in one pass; the
 * Step is deferred. With `addend`, the root is an Add of that Mul and
 * another same-shaped value (a residual's cotangent joining the branch's),
 * and the Mul is deferred too.
 */
export interface GateFusion {
  readonly kind: 'gate';
  /** Node id of the Step. */
  readonly step: number;
  /** Node id of the Mul (the root itself when there is no addend). */
  readonly mul: number;
  /** Node id of the value added to the gated product. */
  readonly addend?: number;
}

/**
 * `g · step(x)` (`+ addend`) in one pass over same-shaped g and x, without
 * storing step(x) (or the product): the VJP of Relu. Each element is exactly `g · s` with s = 1, 0
 * or NaN as the Step kernel gives, so results equal the unfused pair's.
 * Returns undefined when the inputs are not the planned pair.
 *
 * @example
 * ```ts
 * // Called by the backend for Mul nodes `planFusion` marks as gates; see backend.ts.
 * ```
 */
export function gateFromChain(inputs: readonly Value[], node: GraphNode, role: GateFusion, ctx: KernelContext): NdHandle | undefined {
  let gated = inputs;
  let addend: FloatData | undefined;
  if (role.addend !== undefined) {
    const m = inputs.findIndex((v) => v instanceof Deferred && v.node.id === role.mul);
    if (m < 0) return undefined;
    gated = (inputs[m] as Deferred).inputs;
    addend = materialize(inputs[1 - m]).data;
  }
  const k = gated.findIndex((v) => v instanceof Deferred && v.node.id === role.step);
  if (k < 0) return undefined;
  // step(relu(a)) is step(a): a deferred Relu under the Step is read before it.
  const x = beforeRelu((gated[k] as Deferred).inputs[0]).data;
  const g = materialize(gated[1 - k]).data;
  // Every path below writes each element of y: no zeroing of recycled storage.
  const out = alloc(node.dtype, node.shape, true);
  const y = out.data;
  if (x.length !== y.length || g.length !== y.length || (addend && addend.length !== y.length)) return undefined;
  const pool = ctx.pool;
  if (pool?.parallel && y.length >= GATE_THREAD_MIN && [x, g, y, ...(addend ? [addend] : [])].every((a) => a instanceof Float32Array && isShared(a))) {
    // Memory-bound JS loops: each thread takes ranges of elements (the same loop, so the same bits).
    const chunks = pool.size * 4;
    const task: GateTask = {
      kind: 'gate',
      x: x as Float32Array,
      g: g as Float32Array,
      addend: addend as Float32Array | undefined,
      y: y as Float32Array,
      per: Math.ceil(y.length / chunks),
      chunks,
    };
    pool.runChunks(task, (i) => runGateChunk(task, i));
  } else gateRange(x, g, addend, y, 0, y.length);
  return out;
}
