/**
 * @sas/conformance — the shared suite every backend runs: the authors'
 * reference fixtures, a loader for any directory in their format, and
 * `runConformance` with per-case, per-tensor error reports.
 */
export { bundledFixturesDir, loadFixtureSet, loadCaseTensors, type FixtureCase, type FixtureSet, type CaseTensors } from './fixtures.js';
export { compareTensors, type TensorComparison } from './compare.js';
export { runCase, runConformance, type ConformanceOptions, type ConformanceReport, type CaseReport } from './run.js';
export { formatCase, formatReport } from './format.js';
export { trainSmallSAS, TRAINING_CONFIG } from './training.js';
