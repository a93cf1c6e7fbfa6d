import type { GraphNode } from '@sas/core';
import type { KernelContext } from '../context.js';
import { Deferred, materialize, type Value } from '../deferred.js';
import { alloc, type NdHandle } from '../handle.js';
import { conv1dInto } from '../kernels/Conv1d.js';
import type { Epilogue } from '../lib/epilogue.js';
import { batchedMatMul } from '../lib/matmul.js';
import type { GemmFusion } from './plan.js';

/** Every value reachable through deferred inputs, by node id. */
function collect(inputs: readonly Value[], inputNodes: readonly GraphNode[], into = new Map<number, Value>()): Map<number, Value> {
  inputs.forEach((v, i) => {
    into.set(inputNodes[i].id, v);
    if (v instanceof Deferred) collect(v.inputs, v.inputNodes, into);
  });
  return into;
}

/** Runs a MatMul or Conv1d node on its (possibly deferred-relu) inputs into `out`, with `epilogue` adds. */
function product(base: GraphNode, inputs: readonly Value[], out: NdHandle, ctx: KernelContext, epilogue: Epilogue): void {
  const [aVal, bVal] = inputs;
  const relu = aVal instanceof Deferred && aVal.node.op === 'Relu';
  const a = materialize(relu ? aVal.inputs[0] : aVal);
  const b = materialize(bVal);
  if (base.op === 'MatMul') {
    batchedMatMul(a, b, base.attrs.transposeA === true, base.attrs.transposeB === true, out.data, out.shape, ctx.gemm, relu ? { ...epilogue, reluA: true } : epilogue);
  } else {
    conv1dInto(a, b, base.attrs.pad as number, out, ctx, epilogue, relu);
  }
}

/**
 * A MatMul or Conv1d whose left input may be a deferred Relu (read through
 * relu while staging) — the kernel for such nodes when they are not folded
 * into an Add chain.
 *
 * @example
 * ```ts
 * // Called by the backend for MatMul/Conv1d nodes; see backend.ts.
 * ```
 */
export function productKernel(inputs: readonly Value[], node: GraphNode, ctx: KernelContext): NdHandle {
  const out = alloc(node.dtype, node.shape);
  product(node, inputs, out, ctx, {});
  return out;
}

/**
 * The root Add of a `base (+ bias) (+ addends)` chain: one product with the
 * bias and addends applied as its epilogue. Returns undefined when the
 * deferred chain is not the planned one (the caller then runs the plain Add).
 *
 * @example
 * ```ts
 * // Called by the backend for nodes `planFusion` marks as gemm roots; see backend.ts.
 * ```
 */
export function gemmFromChain(inputs: readonly Value[], node: GraphNode, inputNodes: readonly GraphNode[], role: GemmFusion, ctx: KernelContext): NdHandle | undefined {
  const values = collect(inputs, inputNodes);
  const base = values.get(role.base);
  if (!(base instanceof Deferred) || (role.bias !== undefined && !values.has(role.bias)) || role.addends.some((id) => !values.has(id))) return undefined;
  const operand = (id: number) => ({ data: materialize(values.get(id)!).data, off: 0 });
  const bias = role.bias === undefined ? undefined : operand(role.bias);
  const epilogue: Epilogue = {
    colBias: base.node.op === 'MatMul' ? bias : undefined,
    rowBias: base.node.op === 'Conv1d' ? bias : undefined,
    addends: role.addends.map(operand),
  };
  const out = alloc(node.dtype, node.shape);
  product(base.node, base.inputs, out, ctx, epilogue);
  return out;
}
