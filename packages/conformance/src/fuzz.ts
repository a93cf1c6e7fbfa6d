/**
 * @sas/conformance/fuzz — property-based differential testing of a backend
 * against the float64 reference (random layers and single ops, forward and
 * gradients, shrunk to a small case on disagreement), plus the fixed
 * regression cases the fuzzer found. `fuzzBackend` needs `fast-check`, an
 * optional peer dependency: `npm i -D fast-check`.
 */
export { describeFuzzCase, fuzzCaseSource, type FuzzCase, type LayerFuzzCase, type OpFuzzCase, type ValueDomain } from './fuzz/cases.js';
export { prepareFuzzCase, type PreparedCase } from './fuzz/prepare.js';
export { runFuzzCase, formatFuzzFailure, type FuzzCaseOptions, type FuzzCaseReport } from './fuzz/run-case.js';
export { fuzzBackend, type FuzzOptions, type FuzzReport, type FuzzRun } from './fuzz/differential.js';
export { FUZZ_REGRESSIONS, KNOWN_ISSUES, knownIssueFor, regressionCases, type RegressionCase, type KnownIssue, type RunContext } from './fuzz/regressions.js';
