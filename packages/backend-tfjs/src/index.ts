/**
 * @sas/backend-tfjs — Simulated Attention Score on TensorFlow.js:
 * - a `Backend` that lowers @sas/core graphs onto tfjs ops (`tfjsProvider`,
 *   `createTfjsBackend`), on whichever tfjs backend the mode names;
 * - `SASMultiHeadAttention`, a tfjs layer called like Keras's
 *   `MultiHeadAttention` (own Q/K/V projections, masks, cross-attention);
 * - `SASAttention`, the pre-projected layer for your own `tf.LayersModel`;
 *   both trained by tfjs autodiff and loading the SAS authors' weights by name.
 */
export { tfjsProvider } from './provider.js';
export { createTfjsBackend, TFJS_WASM_MAX_ELEMENTS, type TfjsBackend, type TfjsBackendOptions } from './backend.js';
export { activateTfjsMode, switchTfjsBackend, type TfjsModeOptions } from './modes.js';
export { availableModes, TFJS_MODES } from './env.js';
export { TFJS_MODEL_TOLERANCE, TFJS_TOLERANCE } from './tolerance.js';
export { TFJS_KERNELS } from './kernels/index.js';
export { matMul, matMulForward } from './tfops/matmul.js';
export { conv1d, conv1dForward } from './tfops/conv1d.js';
export { causalMask } from './tfops/causal-mask.js';
export { evaluateOnTensors } from './graph/evaluate.js';
export { SASAttention, type SASAttentionArgs } from './layer/SASAttention.js';
export type { SASAttentionConfig } from './layer/config.js';
export type { AuthorsWeightsOptions, WeightSource } from './layer/weights.js';
export { SASMultiHeadAttention, projectHeads } from './layer/SASMultiHeadAttention.js';
export type { SASMultiHeadAttentionArgs, SASMultiHeadAttentionConfig } from './layer/mha-config.js';
export type { MhaCallOptions, SASMultiHeadAttentionCallArgs } from './layer/mha-call.js';
export type { InitializerSpec } from './layer/initializers.js';
