import { isOpNode, type GraphNode } from '@sas/core';
import type { KernelContext } from '../context.js';
import { Deferred, materialize, type Value } from '../deferred.js';
import { alloc, allocData, dtypeOf, type NdHandle } from '../handle.js';
import { sum } from '../kernels/ReduceSum.js';
import { planReduce, runReduce } from '../lib/reduce.js';
import { conv1dInto } from '../kernels/Conv1d.js';
import type { Epilogue } from '../lib/epilogue.js';
import { batchedMatMul, takesAtb } from '../lib/matmul.js';
import { reluInto } from '../lib/relu.js';
import { readThroughRelu } from './relu-read.js';
import type { GemmFusion } from './plan.js';

/** Every value reachable through deferred inputs, by node id (`ids[i]` is the node of `inputs[i]`). */
function collect(inputs: readonly Value[], ids: readonly number[], into = new Map<number, Value>()): Map<number, Value> {
  inputs.forEach((v, i) => {
    into.set(ids[i], v);
    if (v instanceof Deferred) collect(v.inputs, v.node.inputs, into);
  });
  return into;
}

/** Runs a MatMul or Conv1d node on its (possibly deferred-relu) inputs into `out`, with `epilogue` adds. */
function product(base: GraphNode, inputs: readonly Value[], out: NdHandle, ctx: KernelContext, epilogue: Epilogue): void {
  const [aVal, bVal] = inputs;
  let { value: a, relu } = readThroughRelu(aVal);
  if (isOpNode(base, 'MatMul')) {
    let { value: b, relu: reluB } = readThroughRelu(bVal);
    // A transposed A, or B, is read through relu only by the float32 Aᵀ·B kernel; elsewhere the Relu runs once.
    const { transposeA, transposeB } = base.attrs;
    const atb = takesAtb(a.data, b.data, out.data, transposeA, transposeB, ctx.gemm);
    if (relu && transposeA && !atb) [a, relu] = [materialize(aVal), false];
    if (reluB && !atb) [b, reluB] = [materialize(bVal), false];
    batchedMatMul(a, b, transposeA, transposeB, out.data, out.shape, ctx.gemm, relu || reluB ? { ...epilogue, reluA: relu, reluB } : epilogue);
  } else if (isOpNode(base, 'Conv1d')) {
    const b = materialize(bVal);
    conv1dInto(a, b, base.attrs.pad, out, ctx, epilogue, relu);
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
 * The root Add of a `base (+ bias) (+ addends)` chain (or the Relu over it):
 * one product with the bias and addends applied as its epilogue, then relu. Returns undefined when the
 * deferred chain is not the planned one (the caller then runs the plain Add).
 *
 * @example
 * ```ts
 * // Called by the backend for nodes `planFusion` marks as gemm roots; see backend.ts.
 * ```
 */
export function gemmFromChain(inputs: readonly Value[], node: GraphNode, role: GemmFusion, ctx: KernelContext): NdHandle | undefined {
  const values = collect(inputs, node.inputs);
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
  if (role.contract) contractedProduct(base, out, ctx);
  else if (role.reduce) reducedProduct(base, role.reduce, out, ctx, bias);
  else product(base.node, base.inputs, out, ctx, epilogue);
  if (role.relu) reluInto(out.data, 0, out.data, 0, out.data.length);
  return out;
}

/**
 * `Σ_batch aᵢᵀ·bᵢ` as one product: a [..., K, M] and b [..., K, N] read as
 * [batch·K, M] and [batch·K, N] (the batch stacked along K, no copy).
 */
function contractedProduct(base: Deferred, out: NdHandle, ctx: KernelContext): void {
  const a = materialize(base.inputs[0]);
  const b = materialize(base.inputs[1]);
  const m = a.shape[a.shape.length - 1];
  const n = b.shape[b.shape.length - 1];
  const k = m === 0 ? 0 : a.size / m;
  batchedMatMul({ data: a.data, shape: [k, m] }, { data: b.data, shape: [k, n] }, true, false, out.data, [m, n], ctx.gemm);
}

/**
 * `c · Σ_axes (x·w + b)` as `(c · Σ_axes x)·w + c·G·b`: the sum over the
 * axes (batch axes or the row axis of x) is taken in double before the
 * product, which then runs on 1/G of the rows.
 */
function reducedProduct(
  base: Deferred,
  reduce: NonNullable<GemmFusion['reduce']>,
  out: NdHandle,
  ctx: KernelContext,
  bias: { data: Float32Array | Float64Array; off: number } | undefined,
): void {
  const x = materialize(base.inputs[0]);
  const w = materialize(base.inputs[1]);
  const kept = x.shape.map((d, i) => (reduce.axes.includes(i) ? 1 : d));
  const acc = new Float64Array(out.data.length === 0 ? 0 : kept.reduce((a, b) => a * b, 1));
  runReduce(planReduce(x.shape, reduce.axes), x.data, acc, sum);
  const y = alloc(out.dtype === 'float32' ? 'float32' : 'float64', kept);
  for (let i = 0; i < acc.length; i++) y.data[i] = acc[i] * reduce.scale;
  let terms = 1;
  for (const a of reduce.axes) terms *= x.shape[a];
  // Scaled into storage the product's threads can read in place (no copy per call).
  let colBias: { data: Float32Array | Float64Array; off: number } | undefined;
  if (bias) {
    const data = allocData(dtypeOf(bias.data), bias.data.length, true);
    for (let i = 0; i < data.length; i++) data[i] = bias.data[i] * terms * reduce.scale;
    colBias = { data, off: bias.off };
  }
  const transposeB = base.node.attrs.transposeB === true;
  const n = transposeB ? w.shape[0] : w.shape[1];
  batchedMatMul(y, w, false, transposeB, out.data, [...kept.slice(0, -1), n], ctx.gemm, { colBias });
}
