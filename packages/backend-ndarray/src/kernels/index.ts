import type { KernelTable } from '@sas/core';
import type { KernelContext } from '../context.js';
import type { NdHandle } from '../handle.js';
import { Add } from './Add.js';
import { Attention } from './Attention.js';
import { AttentionGrad } from './AttentionGrad.js';
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

/**
 * One kernel per op of @sas/core, by op name, the composite attention ops
 * included (they run blocked, never storing Tq×Tk): nothing falls back to a
 * decomposition. `satisfies KernelTable`: an op of core without a kernel
 * here is a compile error.
 */
export const NDARRAY_KERNELS = Object.freeze({
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
  Attention,
  AttentionGrad,
} satisfies KernelTable<NdHandle, KernelContext>);
