export { add } from './Add.js';
export { sub } from './Sub.js';
export { mul } from './Mul.js';
export { div } from './Div.js';
export { equal } from './Equal.js';
export { neg } from './Neg.js';
export { exp } from './Exp.js';
export { log } from './Log.js';
export { sqrt } from './Sqrt.js';
export { relu } from './Relu.js';
export { step } from './Step.js';
export { matMul, matMulDims, type MatMulAttrs } from './MatMul.js';
export { conv1d, type Conv1dAttrs } from './Conv1d.js';
export { reduceSum } from './ReduceSum.js';
export { reduceMax } from './ReduceMax.js';
export { softmax } from './Softmax.js';
export { causalMask, type CausalMaskAttrs } from './CausalMask.js';
export { reshape, type ReshapeAttrs } from './Reshape.js';
export { transpose, inversePermutation, type TransposeAttrs } from './Transpose.js';
export { broadcastTo, type BroadcastToAttrs } from './BroadcastTo.js';
export { flip, type FlipAttrs } from './Flip.js';
export { attention } from './Attention.js';
export { attentionGrad, type AttentionGradAttrs, type AttentionOperand } from './AttentionGrad.js';
export type { AttentionAttrs } from './attention-shape.js';
export { gather } from './Gather.js';
export { scatterAdd } from './ScatterAdd.js';
export { layerNorm } from './LayerNorm.js';
export { layerNormGrad, type LayerNormOperand } from './LayerNormGrad.js';
export { tanh } from './Tanh.js';
export { crossEntropy, IGNORE_INDEX } from './CrossEntropy.js';
export type { ReduceAttrs } from './reduce.js';
export {
  OPS,
  OP_NAMES,
  COMPOSITE_OP_NAMES,
  findOp,
  getOp,
  isOpName,
  isCompositeOp,
  type OpName,
  type PrimitiveName,
  type CompositeName,
  type OpAttrs,
  type OpTable,
} from './table.js';
export { broadcastShapes, type NoAttrs, type OpDef, type OpSpec, type RefTensor } from './op.js';
export { canonicalAttrs, checkAttrTypes, type AttrSchema, type AttrSpec, type AttrsOf, type AttrValueOf } from './attrs.js';
export { forEachBroadcast, broadcastStrides, type Operand } from './elementwise.js';
export { unbroadcast } from './unbroadcast.js';
