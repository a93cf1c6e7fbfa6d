import { type KindSummary, summarizeKinds } from './aggregate.js';
import { type ReportContext, resultsMarkdown } from './markdown.js';
import { curveChart, renderSvg, reportPlots } from './plots.js';
import { compareWithTwin, type TwinComparison, type TwinSummary } from './twin.js';
import type { Study } from './types.js';

/** A rendered report: its files (name → content) and the numbers in it. */
export interface StudyReport {
  /** `results.md` and the SVG plots, by file name. */
  readonly files: ReadonlyMap<string, string>;
  readonly kinds: readonly KindSummary[];
  readonly twin: readonly TwinComparison[] | null;
}

/**
 * Renders a study's report: `results.md` and, once a run has finished, the
 * SVG plots it shows (score against step and against wall time). Pure: the
 * caller writes the files.
 *
 * @example
 * ```ts
 * const report = await renderStudyReport(study, { date: '2026-12-05' });
 * for (const [name, content] of report.files) writeFileSync(join(dir, name), content);
 * ```
 */
export async function renderStudyReport(study: Study, context: ReportContext = {}, twin?: { summary: TwinSummary; source: string }): Promise<StudyReport> {
  const kinds = summarizeKinds(study);
  const plots = reportPlots(study.task);
  const comparisons = twin ? compareWithTwin(kinds, twin.summary) : null;
  const files = new Map<string, string>();
  files.set('results.md', resultsMarkdown(study, kinds, plots, context, twin && comparisons ? { ...twin, comparisons } : undefined));
  if (study.finished.length > 0) for (const p of plots) files.set(p.file, await renderSvg(curveChart(study, p)));
  return { files, kinds, twin: comparisons };
}
