import { SasError } from '../errors.js';
import type { Attrs } from '../ir/types.js';
import type { OpDef } from './op.js';
import { Add } from './Add.js';
import { Attention } from './Attention.js';
import { AttentionGrad } from './AttentionGrad.js';
import { BroadcastTo } from './BroadcastTo.js';
import { CausalMask } from './CausalMask.js';
import { Conv1d } from './Conv1d.js';
import { CrossEntropy } from './CrossEntropy.js';
import { Div } from './Div.js';
import { Equal } from './Equal.js';
import { Exp } from './Exp.js';
import { Flip } from './Flip.js';
import { Gather } from './Gather.js';
import { LayerNorm } from './LayerNorm.js';
import { LayerNormGrad } from './LayerNormGrad.js';
import { Log } from './Log.js';
import { MatMul } from './MatMul.js';
import { Mul } from './Mul.js';
import { Neg } from './Neg.js';
import { ReduceMax } from './ReduceMax.js';
import { ReduceSum } from './ReduceSum.js';
import { Relu } from './Relu.js';
import { Reshape } from './Reshape.js';
import { ScatterAdd } from './ScatterAdd.js';
import { Softmax } from './Softmax.js';
import { Sqrt } from './Sqrt.js';
import { Step } from './Step.js';
import { Sub } from './Sub.js';
import { Tanh } from './Tanh.js';
import { Transpose } from './Transpose.js';

/**
 * The primitive ops: the closed set every backend implements (with a kernel,
 * or through a decomposition into others of the set).
 */
// biome-ignore lint/suspicious/noExplicitAny: ops of different attribute types share one table
const PRIMITIVES: readonly OpDef<any>[] = [
  Add,
  Sub,
  Mul,
  Div,
  Equal,
  Neg,
  Exp,
  Log,
  Sqrt,
  Relu,
  Step,
  MatMul,
  Conv1d,
  ReduceSum,
  ReduceMax,
  Softmax,
  CausalMask,
  Reshape,
  Transpose,
  BroadcastTo,
  Flip,
];

/**
 * Composite ops: each decomposes into primitives, so a backend needs no
 * kernel for them; a backend that has one runs them fused (the ndarray
 * backend's attention never stores the Tq×Tk scores). The model's ops
 * (embedding lookup and its gradient, layer norm, tanh, cross-entropy) are
 * composites too, so every backend runs the char GPT before it has kernels
 * of its own for them.
 */
// biome-ignore lint/suspicious/noExplicitAny: ops of different attribute types share one table
const COMPOSITES: readonly OpDef<any>[] = [Attention, AttentionGrad, Gather, ScatterAdd, LayerNorm, LayerNormGrad, Tanh, CrossEntropy];

/** Every op, primitive and composite, by name. */
// biome-ignore lint/suspicious/noExplicitAny: ops of different attribute types share one table
export const OPS: Readonly<Record<string, OpDef<any>>> = Object.freeze(Object.fromEntries([...PRIMITIVES, ...COMPOSITES].map((op) => [op.name, op])));

/** The names of the primitive ops: what a backend must be able to run. */
export const OP_NAMES: readonly string[] = Object.freeze(PRIMITIVES.map((op) => op.name));

/** The names of the composite ops (each has a decomposition into primitives). */
export const COMPOSITE_OP_NAMES: readonly string[] = Object.freeze(COMPOSITES.map((op) => op.name));

/** The op named `name`, or undefined. */
export function findOp(name: string): OpDef<Attrs> | undefined {
  return Object.hasOwn(OPS, name) ? OPS[name] : undefined;
}

/**
 * The op named `name`, or a clear error.
 *
 * @example
 * ```ts
 * import { getOp } from '@sas/core';
 * getOp('MatMul').summary;
 * ```
 */
export function getOp(name: string): OpDef<Attrs> {
  const op = findOp(name);
  if (!op) throw new SasError('E_GRAPH', `unknown op '${name}' (known: ${Object.keys(OPS).join(', ')})`);
  return op;
}
