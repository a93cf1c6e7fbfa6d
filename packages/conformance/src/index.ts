/**
 * @sas/conformance — the shared suite every backend runs: the authors'
 * reference fixtures, a loader for any directory in their format, and
 * `runConformance` with per-case, per-tensor error reports.
 */
export { bundledFixturesDir, loadFixtureSet, loadCaseTensors } from './fixtures.js';
export * from './portable.js';
export { runCase, runConformance } from './run.js';
export { bundledModelFixturesDir, loadModelFixtureSet, loadModelCaseTensors, runModelCase, runModelConformance } from './models/node.js';
export { trainSmallSAS, TRAINING_CONFIG } from './training.js';
export { OPERAND_VIEWS, viewedOperand, type OperandView } from './model-ops/operands.js';
export { loadGenerationFixtures, readLanguageModelFile } from './generation/node.js';

export { checkWriteTargets, writeFileAtomic, writeFilesAtomic, type FileData, type WriteFileAtomicOptions } from './files.js';
export { checkInsideDirectory, readRegularFile, readSafetensorsFile, type ReadFileOptions } from './read-file.js';
export { describeFuzzCase, fuzzCaseSource, type FuzzCase, type LayerFuzzCase, type OpFuzzCase, type ValueDomain } from './fuzz/cases.js';
export { prepareFuzzCase, type PreparedCase } from './fuzz/prepare.js';
export { runFuzzCase, formatFuzzFailure, type FuzzCaseOptions, type FuzzCaseReport } from './fuzz/run-case.js';
export { fuzzBackend, type FuzzOptions, type FuzzReport, type FuzzRun } from './fuzz/differential.js';
export { FUZZ_REGRESSIONS, KNOWN_ISSUES, knownIssueFor, regressionCases, type RegressionCase, type KnownIssue, type RunContext } from './fuzz/regressions.js';
export { discoverTargets, workspaceCandidates, type BackendTarget, type ProviderCandidate } from './fuzz/targets.js';
export { soakBackend, assessSoak, SOAK_CONFIG, type SoakOptions, type SoakReport, type SoakSample, type SoakTrend, type SoakLimits } from './soak/soak.js';
export { SOAK_KNOWN_ISSUES, soakKnownIssueFor, type SoakKnownIssue } from './soak/known-issues.js';
export { resourceCounts, type ResourceCounts } from './soak/counters.js';
export { sampleMemory, fullGc, type MemorySample } from './soak/memory.js';
export { trendSlope, floorSlope } from './soak/stats.js';
