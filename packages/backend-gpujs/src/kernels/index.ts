import type { KernelTable } from '@sas/core';
import type { GpuTensor } from '../tensor.js';
import { Add } from './Add.js';
import { BroadcastTo } from './BroadcastTo.js';
import { CausalMask } from './CausalMask.js';
import { Conv1d } from './Conv1d.js';
import type { KernelContext } from './context.js';
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
 * One kernel per primitive op of core, so nothing is lowered through
 * decompositions, plus the model's composites (Gather, ScatterAdd,
 * LayerNorm, LayerNormGrad, Tanh, CrossEntropy), which would otherwise run
 * as one-hot products and chains of elementwise kernels. Attention and
 * AttentionGrad run through their decompositions (whose chain the views
 * fuse). `satisfies KernelTable`: an op of core without a kernel here is a
 * compile error.
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
  Gather,
  ScatterAdd,
  LayerNorm,
  LayerNormGrad,
  Tanh,
  CrossEntropy,
} satisfies KernelTable<GpuTensor, KernelContext>);

export type { DeviceContext, GpuKernel, KernelContext } from './context.js';
