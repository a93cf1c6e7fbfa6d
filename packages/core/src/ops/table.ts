import { SasError } from '../errors.js';
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
 * or through a decomposition into others of the set). Adding an op: its file
 * plus one entry here (and its export in index.ts); `PrimitiveName` grows,
 * and every kernel table that lacks it stops compiling.
 */
const PRIMITIVES = [
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
] as const;

/**
 * Composite ops: each decomposes into primitives, so a backend needs no
 * kernel for them; a backend that has one runs them fused (the ndarray
 * backend's attention never stores the Tq×Tk scores). The model's ops
 * (embedding lookup and its gradient, layer norm, tanh, cross-entropy) are
 * composites too, so every backend runs the char GPT before it has kernels
 * of its own for them.
 */
const COMPOSITES = [Attention, AttentionGrad, Gather, ScatterAdd, LayerNorm, LayerNormGrad, Tanh, CrossEntropy] as const;

/** The name of a primitive op: a kernel table must have a kernel for each. */
export type PrimitiveName = (typeof PRIMITIVES)[number]['name'];

/** The name of a composite op: a kernel table may have a kernel for each. */
export type CompositeName = (typeof COMPOSITES)[number]['name'];

/** The name of any op of the table. */
export type OpName = PrimitiveName | CompositeName;

type AnyOp = (typeof PRIMITIVES)[number] | (typeof COMPOSITES)[number];

/** Every op's definition, by name, with its own name and attribute types. */
export type OpTable = { readonly [D in AnyOp as D['name']]: D };

/**
 * The attributes of op `N` as its definition declares them (canonical form:
 * axes non-negative and sorted), e.g. `OpAttrs<'Conv1d'>` is `{ readonly pad: number }`.
 */
export type OpAttrs<N extends OpName> = N extends OpName ? (OpTable[N] extends OpDef<N, infer A> ? A : never) : never;

/** Every op, primitive and composite, by name. */
export const OPS: OpTable = Object.freeze(Object.fromEntries([...PRIMITIVES, ...COMPOSITES].map((op) => [op.name, op])) as OpTable);

/** The names of the primitive ops: what a backend must be able to run. */
export const OP_NAMES: readonly PrimitiveName[] = Object.freeze(PRIMITIVES.map((op) => op.name));

/** The names of the composite ops (each has a decomposition into primitives). */
export const COMPOSITE_OP_NAMES: readonly CompositeName[] = Object.freeze(COMPOSITES.map((op) => op.name));

/**
 * True when `name` is an op of the table (primitive or composite).
 *
 * @example
 * ```ts
 * import { isOpName } from '@sas/core';
 * isOpName('MatMul'); // true
 * isOpName('Input'); // false: a leaf, not an op
 * ```
 */
export function isOpName(name: string): name is OpName {
  return Object.hasOwn(OPS, name);
}

/**
 * True when `name` is a composite op (it has a decomposition into primitives).
 *
 * @example
 * ```ts
 * import { isCompositeOp } from '@sas/core';
 * isCompositeOp('Attention'); // true
 * ```
 */
export function isCompositeOp(name: string): name is CompositeName {
  return (COMPOSITE_OP_NAMES as readonly string[]).includes(name);
}

/** The op named `name`, or undefined. */
export function findOp(name: string): OpDef | undefined {
  return isOpName(name) ? (OPS[name] as OpDef) : undefined;
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
export function getOp(name: string): OpDef {
  const op = findOp(name);
  if (!op) throw new SasError('E_GRAPH', `unknown op '${name}' (known: ${Object.keys(OPS).join(', ')})`);
  return op;
}
