import type { OpNode } from '@sas/core';
import type { KernelContext } from '../context.js';
import { Deferred, materialize, type Value } from '../deferred.js';
import { alloc, type NdHandle } from '../handle.js';
import { threadedConvWeightGrad } from '../threads/conv.js';
import { wasmConvWeightGrad } from '../wasm/conv-weight-grad.js';
import { readThroughRelu } from './relu-read.js';

/**
 * A Conv1d of transpose(x, [1, 0, 2]) by transpose(g, [1, 0, 2]) (Conv1d's
 * weight gradient as core's VJP writes it), computed from x and g as they
 * lie; both transposes are deferred, and x may be a deferred Relu.
 */
export interface ConvWeightGradFusion {
  readonly kind: 'conv-weight-grad';
}

/**
 * Runs a planned conv weight gradient on the SIMD runtime (threads when the
 * backend has them). Returns undefined when the inputs are not the deferred
 * pair or the engine is not float32 SIMD: the caller then materialises the
 * transposes and runs the plain Conv1d.
 *
 * @example
 * ```ts
 * // Called by the backend for Conv1d nodes `planFusion` marks; see backend.ts.
 * ```
 */
export function convWeightGradFromChain(inputs: readonly Value[], node: OpNode<'Conv1d'>, ctx: KernelContext): NdHandle | undefined {
  const [xt, gt] = inputs;
  if (!ctx.wasm || !(xt instanceof Deferred) || !(gt instanceof Deferred) || node.dtype !== 'float32') return undefined;
  const { value: x, relu } = readThroughRelu(xt.inputs[0]);
  const g = materialize(gt.inputs[0]);
  if (!(x.data instanceof Float32Array) || !(g.data instanceof Float32Array) || x.shape[0] === 0) return undefined;
  const out = alloc(node.dtype, node.shape);
  const { pad } = node.attrs;
  if (ctx.pool) threadedConvWeightGrad(ctx.pool, ctx.wasm, x, g, pad, out, relu);
  else wasmConvWeightGrad(ctx.wasm, x.data, x.shape, g.data, g.shape, pad, out.data as Float32Array, relu);
  return out;
}
