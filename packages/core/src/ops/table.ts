import { SasError } from '../errors.js';
import type { Attrs } from '../ir/types.js';
import type { OpDef } from './op.js';
import { Add } from './Add.js';
import { BroadcastTo } from './BroadcastTo.js';
import { CausalMask } from './CausalMask.js';
import { Conv1d } from './Conv1d.js';
import { Div } from './Div.js';
import { Equal } from './Equal.js';
import { Exp } from './Exp.js';
import { Flip } from './Flip.js';
import { Log } from './Log.js';
import { MatMul } from './MatMul.js';
import { Mul } from './Mul.js';
import { Neg } from './Neg.js';
import { ReduceMax } from './ReduceMax.js';
import { ReduceSum } from './ReduceSum.js';
import { Relu } from './Relu.js';
import { Reshape } from './Reshape.js';
import { Softmax } from './Softmax.js';
import { Sqrt } from './Sqrt.js';
import { Step } from './Step.js';
import { Sub } from './Sub.js';
import { Transpose } from './Transpose.js';

/** Every primitive op, by name. The set is closed: backends lower these and nothing else. */
export const OPS: Readonly<Record<string, OpDef<any>>> = Object.freeze(
  Object.fromEntries(
    [Add, Sub, Mul, Div, Equal, Neg, Exp, Log, Sqrt, Relu, Step, MatMul, Conv1d, ReduceSum, ReduceMax, Softmax, CausalMask, Reshape, Transpose, BroadcastTo, Flip].map(
      (op) => [op.name, op],
    ),
  ),
);

/** The names of every primitive op. */
export const OP_NAMES: readonly string[] = Object.freeze(Object.keys(OPS));

/** The op named `name`, or undefined. */
export function findOp(name: string): OpDef<Attrs> | undefined {
  return Object.prototype.hasOwnProperty.call(OPS, name) ? OPS[name] : undefined;
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
  if (!op) throw new SasError('E_GRAPH', `unknown op '${name}' (known: ${OP_NAMES.join(', ')})`);
  return op;
}
