import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { studyCurves } from './aggregate.js';
import type { Metric, Study } from './types.js';

/** The x axis of a plot: training steps, or wall time (training and evaluation, over every session of a run). */
export type PlotAxis = 'step' | 'wall';

/** One plot of a report: a score against an axis, and the file it is written to. */
export interface PlotSpec {
  readonly metric: Metric;
  readonly axis: PlotAxis;
  /** `accuracy-step.svg`, `valLoss-wall.svg`, … */
  readonly file: string;
}

/** Human names of the scores. */
export const METRIC_LABEL: Readonly<Record<Metric, string>> = { valLoss: 'validation loss', accuracy: 'recall accuracy' };

/**
 * The plots of a task's report: recall accuracy (mqar) and validation loss,
 * each against step and against wall time.
 *
 * @example
 * ```ts
 * reportPlots('brown').map((p) => p.file); // ['valLoss-step.svg', 'valLoss-wall.svg']
 * ```
 */
export function reportPlots(task: Study['task']): PlotSpec[] {
  const metrics: Metric[] = task === 'mqar' ? ['accuracy', 'valLoss'] : ['valLoss'];
  return metrics.flatMap((metric) => (['step', 'wall'] as const).map((axis) => ({ metric, axis, file: `${metric}-${axis}.svg` })));
}

/** Seconds, minutes or hours: whichever keeps a wall-time axis' numbers short. */
function wallUnit(maxSeconds: number): { name: string; seconds: number } {
  if (maxSeconds >= 2 * 3600) return { name: 'h', seconds: 3600 };
  if (maxSeconds >= 120) return { name: 'min', seconds: 60 };
  return { name: 's', seconds: 1 };
}

/**
 * The Vega-Lite spec of one plot: per run kind (one colour each, in the
 * spec's order) the mean over seeds as a thick line, and each seed as a thin
 * one, so the spread between seeds stays visible.
 *
 * @example
 * ```ts
 * const spec = curveChart(study, { metric: 'valLoss', axis: 'step', file: 'valLoss-step.svg' });
 * const svg = await renderSvg(spec);
 * ```
 */
export function curveChart(study: Study, plot: PlotSpec): TopLevelSpec {
  const { seeds, means } = studyCurves(study, plot.metric);
  const maxWall = Math.max(0, ...seeds.flatMap((c) => c.points.map((p) => p.wallSeconds)));
  const unit = wallUnit(maxWall);
  const rows = [...means, ...seeds].flatMap((c) =>
    c.points.map((p) => ({
      run: c.run,
      line: c.seed === null ? 'mean' : 'seed',
      series: c.seed === null ? `${c.run} mean` : `${c.run} seed ${c.seed}`,
      x: plot.axis === 'step' ? p.step : p.wallSeconds / unit.seconds,
      y: p.value,
    })),
  );
  const accuracy = plot.metric === 'accuracy';
  const encoding = {
    x: { field: 'x', type: 'quantitative', title: plot.axis === 'step' ? 'step' : `wall time (${unit.name})`, scale: { zero: true } },
    y: {
      field: 'y',
      type: 'quantitative',
      title: METRIC_LABEL[plot.metric],
      scale: accuracy ? { domain: [0, 1] } : { zero: false },
      axis: accuracy ? { format: '%' } : {},
    },
    color: {
      field: 'run',
      type: 'nominal',
      title: 'run',
      scale: { domain: [...study.runs], scheme: 'tableau10' },
      // the legend shows the mean line's stroke, not the faint per-seed one
      // and whole run names (Vega cuts labels at 160 px by default: `sas-identity-froze…` thrice)
      legend: { symbolOpacity: 1, symbolStrokeWidth: 2.5, labelLimit: 400 },
    },
    detail: { field: 'series', type: 'nominal' },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${study.name}: ${METRIC_LABEL[plot.metric]} against ${plot.axis === 'step' ? 'step' : 'wall time'}`,
      subtitle: 'thick: mean over seeds; thin: each seed',
    },
    width: 560,
    height: 320,
    background: 'white',
    data: { values: rows },
    layer: [
      { transform: [{ filter: "datum.line === 'seed'" }], mark: { type: 'line', strokeWidth: 1, opacity: 0.35 }, encoding },
      { transform: [{ filter: "datum.line === 'mean'" }], mark: { type: 'line', strokeWidth: 2.5 }, encoding },
    ],
  };
}

/**
 * Renders a Vega-Lite spec to an SVG string, headless in Node (no canvas,
 * no browser: Vega's `renderer: 'none'` view and its SVG string renderer).
 *
 * @example
 * ```ts
 * const svg = await renderSvg({ data: { values: [{ x: 1, y: 2 }, { x: 2, y: 1 }] }, mark: 'line',
 *   encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
 * svg.startsWith('<svg'); // true
 * ```
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
