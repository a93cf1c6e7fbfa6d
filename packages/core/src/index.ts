/**
 * @sas/core — Simulated Attention Score as a pure-math op graph.
 * Zero runtime dependencies: IR, primitive ops, float64 reference, layer
 * builders, autodiff and safetensors io, for any JS runtime.
 */
export * from './errors.js';
export { printable, ownValue, checkName } from './names.js';
export { parseJsonText, checkJsonDepth, MAX_JSON_DEPTH } from './io/json-text.js';
export * from './tensor.js';
export * from './ir/types.js';
export { GraphBuilder, NodeRef } from './ir/builder.js';
export { verifyGraph } from './ir/verify.js';
export {
  checkIndexDomain,
  describeIndexDomain,
  firstOutOfDomain,
  formatPosition,
  indexDomainOf,
  inIndexDomain,
  type IndexDomain,
} from './ir/domain.js';
export * from './ops/index.js';
export * from './backend/types.js';
export { checkFeeds, firstNonFinite } from './backend/feeds.js';
export { planExecution, type ExecutionPlan } from './backend/plan.js';
export { lowerGraph } from './backend/lower.js';
export { mergeCommonSubexpressions } from './backend/cse.js';
export { createKernelBackend } from './backend/kernel-backend.js';
export { kernelFor, mapKernels } from './backend/kernel-table.js';
export { createReferenceBackend, evaluateReference, referenceProvider, REFERENCE_KERNELS } from './reference/interpreter.js';
export * from './nn/config.js';
export * from './nn/params.js';
export * from './nn/accounting.js';
export * from './nn/init.js';
export { buildSAS, sasLayerNodes, type LayerBuildOptions, type LayerNodes, type LayerScope } from './nn/sas.js';
export { buildAttention, attentionLayerNodes } from './nn/attention.js';
export * from './model/index.js';
export { buildLayer } from './nn/layer.js';
export { scaledDotProductAttention } from './nn/attention-core.js';
export * from './io/safetensors.js';
export { grad, type GradOptions } from './autodiff/grad.js';
export { withCotangentLoss, withMSELoss } from './autodiff/loss.js';
export { graphToJSON, graphFromJSON, GRAPH_FORMAT, GRAPH_FORMAT_VERSION, type GraphJSON, type GraphJSONOptions } from './ir/json.js';
export { authorsWeights, loadAuthorsWeights, saveAuthorsWeights } from './io/authors.js';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  decodeCheckpoint,
  encodeCheckpoint,
  type Checkpoint,
  type DecodeCheckpointOptions,
} from './io/checkpoint.js';
export { numericalGradientCheck, type GradCheckResult } from './autodiff/gradcheck.js';
export {
  buildTrainingStep,
  checkOptimizerOptions,
  GRAD_NORM,
  STEP_SCALARS,
  trainableParams,
  type OptimizerOptions,
  type SGDOptions,
  type AdamWOptions,
  type TrainingStepOptions,
} from './train/optimizer.js';
export { Trainer, type TrainerState, type StepOptions } from './train/trainer.js';
export { lrAt, type LrSchedule } from './train/schedule.js';
export type { Attend } from './nn/attend.js';
export * from './generate/index.js';
