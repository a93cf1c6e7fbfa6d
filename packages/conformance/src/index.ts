/**
 * @sas/conformance — the shared suite every backend runs: the authors'
 * reference fixtures, a loader for any directory in their format, and
 * `runConformance` with per-case, per-tensor error reports.
 */
export { bundledFixturesDir, loadFixtureSet, loadCaseTensors } from './fixtures.js';
export * from './portable.js';
export { runCase, runConformance } from './run.js';
export { trainSmallSAS, TRAINING_CONFIG } from './training.js';
