import {
  buildLayer,
  estimateFlops,
  grad,
  initParams,
  layerParams,
  randomNormal,
  withCotangentLoss,
  type Backend,
  type Graph,
  type LayerConfig,
  type Tensor,
} from '@sas/core';
import { checkBenchCapacity } from './capacity.js';

/** Timing and memory of one benchmarked configuration. */
export interface Measurement {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Interquartile range of the timed runs, in ms. */
  readonly iqrMs: number;
  readonly runs: number;
  /** FLOPs per timed call: the forward estimate of SAS.md, ×3 with the backward pass. */
  readonly flops: number;
  readonly gflopsPerSecond: number;
  /** Peak resident set size of this process so far, MiB. */
  readonly peakRssMiB: number;
  /**
   * With the backward pass: the forward alone, timed in the same process
   * alternately with the gradient graph (one forward, one forward+backward,
   * …), so both medians see the same machine; and what the backward adds.
   */
  readonly forward?: {
    readonly medianMs: number;
    readonly minMs: number;
    readonly maxMs: number;
  };
  /** Forward+backward median minus the forward median, ms. */
  readonly backwardMs?: number;
  /** `backwardMs` over the forward median (the autodiff issue asks for at most 3). */
  readonly backwardOverForward?: number;
  /** Forward+backward median over the forward median. */
  readonly forwardBackwardOverForward?: number;
}

/** Options of `measureLayer`. */
export interface MeasureOptions {
  readonly backward: boolean;
  readonly runs: number;
  readonly warmup: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The graph a benchmark times: the layer, or the layer with every gradient. */
export function benchGraph(config: LayerConfig, dtype: Backend['dtypes'][number], backward: boolean): { graph: Graph; outputs: string[] } {
  const layer = buildLayer(config, { dtype });
  if (!backward) return { graph: layer, outputs: ['output'] };
  const wrt = ['query', 'key', 'value', ...layerParams(config).map((p) => p.name)];
  const graph = grad(withCotangentLoss(layer, 'output'), 'loss', { wrt });
  return { graph, outputs: Object.keys(graph.outputs).filter((n) => n.startsWith('grad.')) };
}

/** Seeded inputs and weights for a configuration. */
export function benchFeeds(config: LayerConfig, dtype: Backend['dtypes'][number], backward: boolean): Record<string, Tensor> {
  const kv = config.kind === 'sas' ? config.heads : config.kvHeads;
  const feeds: Record<string, Tensor> = {
    ...initParams(config, 1, dtype),
    query: randomNormal([config.batch, config.seqLen, config.heads, config.headDim], 2, dtype),
    key: randomNormal([config.batch, config.seqLen, kv, config.headDim], 3, dtype),
    value: randomNormal([config.batch, config.seqLen, kv, config.headDim], 4, dtype),
  };
  if (backward) feeds.cotangent = randomNormal([config.batch, config.seqLen, config.heads * config.headDim], 5, dtype);
  return feeds;
}

/**
 * Times a layer on a backend: `warmup` untimed calls (kernel compilation,
 * caches), then `runs` timed ones; reports the median, spread, FLOP rate and
 * peak RSS. With `backward`, the forward alone is timed alternately with the
 * gradient graph, and the report adds its median and the backward's cost
 * relative to it.
 *
 * @example
 * ```ts
 * const m = await measureLayer(backend, config, { backward: false, runs: 5, warmup: 1 });
 * console.log(m.medianMs, m.gflopsPerSecond);
 * ```
 */
export async function measureLayer(backend: Backend, config: LayerConfig, options: MeasureOptions): Promise<Measurement> {
  const dtype = backend.dtypes[0];
  checkBenchCapacity(config, dtype, options.backward);
  const { graph, outputs } = benchGraph(config, dtype, options.backward);
  const feeds = benchFeeds(config, dtype, options.backward);
  // With the backward pass the forward is timed too, alternately, for a side-by-side ratio.
  const forward = options.backward ? { ...benchGraph(config, dtype, false), feeds: benchFeeds(config, dtype, false) } : undefined;
  const timed = async (g: Graph, f: Record<string, Tensor>, outs: string[]) => {
    const start = performance.now();
    await backend.run(g, f, { outputs: outs });
    return performance.now() - start;
  };
  for (let i = 0; i < options.warmup; i++) {
    if (forward) await backend.run(forward.graph, forward.feeds, { outputs: forward.outputs });
    await backend.run(graph, feeds, { outputs });
  }
  const times: number[] = [];
  const forwardTimes: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    if (forward) forwardTimes.push(await timed(forward.graph, forward.feeds, forward.outputs));
    times.push(await timed(graph, feeds, outputs));
  }
  times.sort((a, b) => a - b);
  forwardTimes.sort((a, b) => a - b);
  const flops = estimateFlops(config).total * (options.backward ? 3 : 1);
  const medianMs = quantile(times, 0.5);
  const measurement: Measurement = {
    medianMs,
    minMs: times[0],
    maxMs: times[times.length - 1],
    iqrMs: quantile(times, 0.75) - quantile(times, 0.25),
    runs: options.runs,
    flops,
    gflopsPerSecond: flops / (medianMs * 1e6),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  if (!forward) return measurement;
  const fwd = quantile(forwardTimes, 0.5);
  return {
    ...measurement,
    forward: { medianMs: fwd, minMs: forwardTimes[0], maxMs: forwardTimes[forwardTimes.length - 1] },
    backwardMs: medianMs - fwd,
    backwardOverForward: (medianMs - fwd) / fwd,
    forwardBackwardOverForward: medianMs / fwd,
  };
}
