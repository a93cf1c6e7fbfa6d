import type { KernelTable } from '@sas/core';
import type { KernelContext } from '../context.js';
import type { NdHandle } from '../handle.js';
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
 * One kernel per op of @sas/core, by op name, every composite included: the
 * attention ops (they run blocked, never storing Tq×Tk) and the model's ops
 * (embedding lookup and its gradient, layer norm and its gradient, tanh,
 * cross-entropy, each one pass over rows): nothing falls back to a
 * decomposition, so the executor runs the caller's graph as built (the
 * fusion planner's roles are keyed by its nodes). `satisfies
 * Required<KernelTable>`: an op of core, primitive or composite, without a
 * kernel here is a compile error.
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
  Gather,
  ScatterAdd,
  LayerNorm,
  LayerNormGrad,
  Tanh,
  CrossEntropy,
} satisfies Required<KernelTable<NdHandle, KernelContext>>);
