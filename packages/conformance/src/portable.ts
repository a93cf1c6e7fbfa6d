/**
 * @sas/conformance/portable — the parts of the suite that need no file
 * system (browsers, workers, Deno, Bun): manifest parsing, tensor
 * comparison, the per-case runner, and the suite over HTTP.
 */
export { parseManifest, selectCases, type FixtureCase, type FixtureSet } from './manifest.js';
export { sortCaseTensors, type CaseTensors } from './case-tensors.js';
export { compareTensors, type TensorComparison } from './compare.js';
export { conformanceReport, runCaseOnTensors, type CaseReport, type ConformanceOptions, type ConformanceReport } from './run-case.js';
export { runConformanceOverHttp } from './fetch.js';
export { MODEL_OP_NAMES, modelOpCases, type ModelOpCase, type ModelOpName, type ModelOpOracle } from './model-ops/cases.js';
export { formatModelOpCase, runModelOpCase, type ModelOpCaseReport } from './model-ops/check.js';
export { TINY_MODEL_CONFIG, trainTinyModel } from './models/training.js';
export { formatCase, formatReport } from './format.js';
export { parseModelManifest, type ModelFixtureCase, type ModelFixtureSet } from './models/manifest.js';
export { sortModelCaseTensors, type ModelCaseTensors } from './models/case-tensors.js';
export {
  runModelCaseOnTensors,
  selectModelCases,
  type ModelCaseReport,
  type ModelConformanceOptions,
  type ModelConformanceReport,
} from './models/run-case.js';
export { formatModelCase, formatModelReport } from './models/format.js';
export { modelToleranceFor, stepTolerance } from './models/tolerance.js';
export { checkFixtureFile } from './fixture-paths.js';
export { runModelConformanceOverHttp } from './models/fetch.js';
export { parseGenerationRecord, type GenerationFixture } from './generation/record.js';
export { formatGenerationReport, GENERATION_LOGITS_TOLERANCE, runGenerationCase, type GenerationReport } from './generation/run.js';
export { compareCachedDecoding, DECODING_CONFIGS, type CachedDecodingOptions, type CachedDecodingReport } from './generation/cached-decoding.js';
