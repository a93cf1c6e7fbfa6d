/**
 * @sas/studies — the reports of training studies (issue #14): per run kind
 * the final scores as mean ± std over seeds, `results.md`, plots of the
 * scores against step and wall time drawn with Vega-Lite and rendered to SVG
 * headless in Node, and the comparison with the PyTorch twin. It reads what
 * `sas experiment` writes (results.jsonl, the runs' logs) and knows nothing
 * of training itself; Vega stays out of the core and the backends.
 */
export type { FinishedRun, LogPoint, Metric, RunResult, Study, StudyTask } from './types.js';
export { mean, sampleStd, seedStat, type SeedStat } from './stats.js';
export { SOLVED_AT, summarizeKinds, studyCurves, type Curve, type CurvePoint, type KindSummary } from './aggregate.js';
export { curveChart, renderSvg, reportPlots, METRIC_LABEL, type PlotAxis, type PlotSpec } from './plots.js';
export { parseTwinSummary, compareWithTwin, type TwinComparison, type TwinKind, type TwinSummary } from './twin.js';
export { resultsMarkdown, type ReportContext } from './markdown.js';
export { renderStudyReport, type StudyReport } from './report.js';
export { clock, grouped, meanStd } from './format.js';
