import type * as tf from '@tensorflow/tfjs-core';
import type { KernelTable } from '@sas/core';
import { Add } from './Add.js';
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
 * A tfjs lowering for every one of core's 21 primitive ops, keyed by op name,
 * plus the model's composites (Gather, ScatterAdd, LayerNorm, LayerNormGrad,
 * Tanh, CrossEntropy), which would otherwise run through their one-hot and
 * elementwise decompositions. Attention and AttentionGrad are left to their
 * decompositions. Each kernel returns a new tensor; MatMul and Conv1d are
 * differentiable by tfjs on every tfjs backend (custom gradients), the rest
 * by tfjs's own.
 *
 * @example
 * ```ts
 * import { OP_NAMES } from '@sas/core';
 * OP_NAMES.every((op) => op in TFJS_KERNELS); // true
 * ```
 */
export const TFJS_KERNELS = Object.freeze({
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
} satisfies KernelTable<tf.Tensor, void>);
