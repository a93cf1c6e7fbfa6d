import {
  buildLayer,
  grad,
  initParams,
  layerParams,
  leafName,
  randomNormal,
  withCotangentLoss,
  type Backend,
  type Graph,
  type LayerConfig,
  type Tensor,
} from '@sas/core';
import { resourceCounts, type ResourceCounts } from './counters.js';
import { sampleMemory, type MemorySample } from './memory.js';
import { floorSlope } from './stats.js';

/** The layer the soak runs by default: small enough for hundreds of passes a second, big enough that a leaked output shows. */
export const SOAK_CONFIG: LayerConfig = { kind: 'sas', batch: 2, seqLen: 16, heads: 4, headDim: 8, simHeads: 8, simHeadDim: 16, kernelSize: 3, causal: true };

/** Options of `soakBackend`. */
export interface SoakOptions {
  /** How long to loop. */
  readonly seconds: number;
  readonly config?: LayerConfig;
  /** Memory samples to take, evenly spread (default 40). */
  readonly samples?: number;
  /**
   * Also build a fresh gradient graph every this many iterations and run it
   * once (default 0: never), which catches per-graph caches (compiled
   * kernels, sessions) that are never let go.
   */
  readonly rebuildEvery?: number;
  /**
   * Fresh graphs to build and run before the clock starts (default 0). A
   * bounded per-graph cache (ONNX sessions, 8 by default) fills one rebuild at
   * a time, and in a short loop on a slow machine it may still be filling in
   * the second half, which would read as growth; warming up past the bound
   * measures the steady state, where a cache that is not bounded keeps growing.
   */
  readonly warmupRebuilds?: number;
  /** Called with each sample as it is taken (progress for long runs). */
  readonly onSample?: (sample: SoakSample) => void;
}

/** One sample: when, after how many iterations, memory and the backend's counts. */
export interface SoakSample {
  readonly seconds: number;
  readonly iteration: number;
  readonly memory: MemorySample;
  readonly counts: ResourceCounts;
}

/** Fitted trends over the second half of a soak (the first half is warm-up: caches fill, the heap finds its size). */
export interface SoakTrend {
  readonly samples: number;
  readonly iterations: number;
  /** Slope of the RSS floor (see `floorSlope`), bytes per iteration and per second. */
  readonly rssPerIteration: number;
  readonly rssPerSecond: number;
  /** Fitted RSS growth across the second half, in bytes. */
  readonly rssGrowth: number;
  /** Slope of the floor of heapUsed + arrayBuffers after a full GC (what JS really still holds), bytes per iteration. */
  readonly liveBytesPerIteration: number;
  /** Each resource count's range over the second half. */
  readonly counts: Readonly<Record<string, { readonly min: number; readonly max: number }>>;
}

/** The outcome of a soak. */
export interface SoakReport {
  readonly backend: string;
  readonly mode: string;
  readonly config: LayerConfig;
  readonly seconds: number;
  readonly iterations: number;
  readonly samples: readonly SoakSample[];
  readonly secondHalf: SoakTrend;
}

/**
 * Loops forward + backward passes of a layer on `backend` for `seconds`,
 * sampling memory (after a full GC) and the backend's resource counts, and
 * fits the trends over the second half. `assessSoak` turns the report into a
 * verdict.
 *
 * @example
 * ```ts
 * import { createReferenceBackend } from '@sas/core';
 * import { assessSoak, soakBackend } from '@sas/conformance';
 * const report = await soakBackend(createReferenceBackend(), { seconds: 5 });
 * console.log(report.iterations, assessSoak(report).flat);
 * ```
 */
export async function soakBackend(backend: Backend, options: SoakOptions): Promise<SoakReport> {
  const config = options.config ?? SOAK_CONFIG;
  const dtype = backend.dtypes[0];
  const layer = buildLayer(config, { dtype });
  const gradGraph = gradientOf(layer, config);
  const feeds = feedsFor(layer, config, dtype);
  const gradFeeds = { ...feeds, cotangent: randomNormal(layer.nodes[layer.outputs.output].shape, 9, dtype) };
  const gradOutputs = Object.keys(gradGraph.outputs).filter((n) => n.startsWith('grad.'));
  const pass = async (g: Graph) => {
    await backend.run(layer, feeds, { outputs: ['output'] });
    await backend.run(g, gradFeeds, { outputs: gradOutputs });
  };

  await pass(gradGraph); // warm-up: compile kernels and fill caches before the clock starts
  for (let i = 0; i < (options.warmupRebuilds ?? 0); i++) await pass(gradientOf(buildLayer(config, { dtype }), config));
  const samples: SoakSample[] = [];
  const every = (options.seconds * 1000) / (options.samples ?? 40);
  const start = performance.now();
  let iteration = 0;
  let nextSample = 0;
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= nextSample) {
      const sample = { seconds: elapsed / 1000, iteration, memory: sampleMemory(), counts: resourceCounts(backend) };
      samples.push(sample);
      options.onSample?.(sample);
      nextSample += every;
    }
    if (elapsed >= options.seconds * 1000) break;
    const rebuild = options.rebuildEvery && iteration % options.rebuildEvery === options.rebuildEvery - 1;
    await pass(rebuild ? gradientOf(buildLayer(config, { dtype }), config) : gradGraph);
    iteration++;
  }
  return {
    backend: backend.name,
    mode: backend.mode,
    config,
    seconds: (performance.now() - start) / 1000,
    iterations: iteration,
    samples,
    secondHalf: trend(samples.slice(Math.floor(samples.length / 2))),
  };
}

/** Limits a soak must stay within to count as flat. */
export interface SoakLimits {
  /**
   * Live JS bytes (heap + array buffers, after GC) per iteration; default 4096:
   * one pass of the default layer makes a 4 KiB output and ~40 KiB of
   * gradients, so keeping any of them shows, while JIT warm-up (a few hundred
   * bytes per iteration in the first minute) does not.
   */
  readonly liveBytesPerIteration?: number;
  /** Fitted RSS growth over the second half, bytes; default 32 MiB (the allocator alone steps RSS by up to 20 MiB and keeps it). */
  readonly rssGrowth?: number;
}

/**
 * Judges a soak: live bytes and RSS must not trend up over the second half,
 * every resource count must hold still there, and `handles` (values the
 * executor holds between runs) must be 0.
 *
 * @example
 * ```ts
 * import { assessSoak, type SoakReport } from '@sas/conformance';
 * declare const report: SoakReport;
 * const { flat, problems } = assessSoak(report);
 * if (!flat) console.log(problems.join('\n'));
 * ```
 */
export function assessSoak(report: SoakReport, limits: SoakLimits = {}): { flat: boolean; problems: string[] } {
  const t = report.secondHalf;
  const maxLive = limits.liveBytesPerIteration ?? 4096;
  const maxRss = limits.rssGrowth ?? 32 * 2 ** 20;
  const problems: string[] = [];
  if (t.samples < 4) problems.push(`only ${t.samples} samples in the second half; run longer`);
  if (t.liveBytesPerIteration > maxLive) problems.push(`live JS memory grows ${t.liveBytesPerIteration.toFixed(0)} bytes per iteration (limit ${maxLive})`);
  if (t.rssGrowth > maxRss)
    problems.push(`RSS grew ${(t.rssGrowth / 2 ** 20).toFixed(1)} MiB over the second half (limit ${(maxRss / 2 ** 20).toFixed(0)} MiB)`);
  for (const [name, { min, max }] of Object.entries(t.counts)) {
    if (min !== max) problems.push(`${name} moved between ${min} and ${max}`);
    if (name === 'handles' && max !== 0) problems.push(`the executor still holds ${max} handles between runs`);
  }
  return { flat: problems.length === 0, problems };
}

function trend(samples: readonly SoakSample[]): SoakTrend {
  const it = samples.map((s) => s.iteration);
  const sec = samples.map((s) => s.seconds);
  const rss = samples.map((s) => s.memory.rss);
  // Not `external`: it also moves with the test runner's own native buffers.
  const live = samples.map((s) => s.memory.heapUsed + s.memory.arrayBuffers);
  const rssPerIteration = floorSlope(it, rss);
  const iterations = it.length ? it[it.length - 1] - it[0] : 0;
  const counts: Record<string, { min: number; max: number }> = {};
  for (const s of samples) {
    for (const [k, v] of Object.entries(s.counts)) {
      const c = (counts[k] ??= { min: v, max: v });
      c.min = Math.min(c.min, v);
      c.max = Math.max(c.max, v);
    }
  }
  return {
    samples: samples.length,
    iterations,
    rssPerIteration,
    rssPerSecond: floorSlope(sec, rss),
    rssGrowth: rssPerIteration * iterations,
    liveBytesPerIteration: floorSlope(it, live),
    counts,
  };
}

function gradientOf(layer: Graph, config: LayerConfig): Graph {
  return grad(withCotangentLoss(layer, 'output'), 'loss', { wrt: ['query', 'key', 'value', ...layerParams(config).map((p) => p.name)] });
}

function feedsFor(layer: Graph, config: LayerConfig, dtype: Graph['dtype']): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = { ...initParams(config, 1, dtype) };
  for (const [i, node] of layer.nodes.filter((n) => n.op === 'Input').entries()) feeds[leafName(node)] = randomNormal(node.shape, 2 + i, dtype);
  return feeds;
}
