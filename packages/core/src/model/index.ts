export {
  attentionLayerConfig,
  canonicalModelConfig,
  checkModelShape,
  validateModelConfig,
  type FreezeSet,
  type ModelAttentionConfig,
  type ModelConfig,
} from './config.js';
export { frozenParams, modelParams, type ModelParamSpec, type ModelParams, type ParamInit } from './params.js';
export { initModel, type InitModelOptions } from './init.js';
export { buildModel, languageModelNodes, type ModelBuildOptions, type ModelNodesOptions } from './build.js';
