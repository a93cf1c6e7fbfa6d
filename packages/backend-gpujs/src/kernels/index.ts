import type { KernelTable } from '@sas/core';
import type { GpuTensor } from '../tensor.js';
import { Add } from './Add.js';
import { BroadcastTo } from './BroadcastTo.js';
import { CausalMask } from './CausalMask.js';
import { Conv1d } from './Conv1d.js';
import type { KernelContext } from './context.js';
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
 * One kernel per primitive op of core, so nothing is lowered through
 * decompositions (composites are). `satisfies KernelTable`: an op of core
 * without a kernel here is a compile error.
 */
export const GPU_KERNELS = Object.freeze({
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
} satisfies KernelTable<GpuTensor, KernelContext>);

export type { DeviceContext, GpuKernel, KernelContext } from './context.js';
