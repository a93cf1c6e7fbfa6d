/**
 * The live loss chart: a vega-lite line chart (compiled to vega once,
 * rendered as SVG, no vega-embed), points appended as the worker reports them.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One point of the chart. */
export interface LossPoint {
  readonly step: number;
  readonly loss: number;
  /** Which run (a new start is a new series). */
  readonly run: string;
}

const spec: TopLevelSpec = {
  width: 520,
  height: 220,
  // Resize as points arrive: the legend's labels exist only once a run has data (else they are clipped).
  autosize: { type: 'pad', resize: true },
  data: { name: 'losses', values: [] },
  mark: { type: 'line', point: { size: 18 } },
  encoding: {
    x: { field: 'step', type: 'quantitative', title: 'step' },
    y: { field: 'loss', type: 'quantitative', title: 'training loss (cross-entropy, nats)', scale: { zero: false } },
    color: { field: 'run', type: 'nominal', title: 'run', legend: { labelLimit: 320 } },
    tooltip: [
      { field: 'run', type: 'nominal' },
      { field: 'step', type: 'quantitative' },
      { field: 'loss', type: 'quantitative', format: '.4f' },
    ],
  },
};

/** A chart that points can be added to. */
export interface LossChart {
  add(point: LossPoint): Promise<void>;
  clear(): Promise<void>;
}

/**
 * Renders an empty chart into `container`.
 *
 * @example
 * ```ts
 * const chart = await lossChart(document.getElementById('loss-chart')!);
 * await chart.add({ step: 1, loss: 4.3, run: 'mqar · sas' });
 * ```
 */
export async function lossChart(container: HTMLElement): Promise<LossChart> {
  const view = new View(parse(compile(spec).spec), { renderer: 'svg', container, hover: true });
  await view.runAsync();
  return {
    add: async (point) => {
      await view.insert('losses', [point]).runAsync();
    },
    clear: async () => {
      await view.remove('losses', () => true).runAsync();
    },
  };
}
