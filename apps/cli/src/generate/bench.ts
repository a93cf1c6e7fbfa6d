// Cached against recomputed decoding, per position: what one new token costs
// when a step reads a key/value cache, and when the whole sequence is run
// again. Each timing is the steady state (graphs compiled in the warm-up).

import {
  buildDecodeStep,
  buildLayer,
  buildLayerDecodeStep,
  buildModel,
  cacheCapacity,
  castTensor,
  initParams,
  KeyValueCache,
  layerCacheRow,
  modelCacheRow,
  randomNormal,
  seededRandom,
  tensor,
  type Backend,
  type Feeds,
  type Graph,
  type LanguageModel,
  type SASConfig,
  type Tensor,
} from '@sas/core';

/** Median and spread of timed runs, ms. */
export interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
}

/** One position: the cost of the token there, cached and recomputed. */
export interface PositionRow {
  /** The new token's position p (the sequence is p + 1 tokens long after it). */
  readonly position: number;
  /** Cache slots the cached step reads (its capacity bucket). */
  readonly capacity: number;
  readonly cached: Timing;
  /** The full forward pass over p + 1 tokens. */
  readonly recomputed: Timing;
  readonly cachedTokensPerSecond: number;
  readonly recomputedTokensPerSecond: number;
  /** recomputed / cached median. */
  readonly speedup: number;
}

/** Options of the decoding benchmarks. */
export interface DecodingBenchOptions {
  /** Least timed rounds per position. */
  readonly runs: number;
  readonly warmup: number;
  /** Keep adding rounds while a position's rounds took less than this (default 1 s). */
  readonly minSeconds?: number;
}

/** Median and extremes of sorted-in-place times. */
function summarize(times: number[]): Timing {
  times.sort((a, b) => a - b);
  const mid = times.length / 2;
  const medianMs = times.length % 2 ? times[Math.floor(mid)] : (times[mid - 1] + times[mid]) / 2;
  return { medianMs, minMs: times[0], maxMs: times[times.length - 1], runs: times.length };
}

/**
 * Times two calls alternately (one of each per round), so both medians see
 * the same machine: `warmup` untimed rounds, then at least `runs` rounds and
 * more while the rounds so far took under `minSeconds` (at most 100), so a
 * cheap pair gets enough samples on a noisy machine and a costly one is not
 * repeated for nothing.
 *
 * @example
 * ```ts
 * const [cached, recomputed] = await timeAlternately(() => step(), () => full(), { runs: 5, warmup: 1, minSeconds: 1 });
 * ```
 */
export async function timeAlternately(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  options: DecodingBenchOptions & { readonly minSeconds?: number },
): Promise<[Timing, Timing]> {
  for (let i = 0; i < options.warmup; i++) {
    await a();
    await b();
  }
  const times: [number[], number[]] = [[], []];
  const begin = performance.now();
  const minMs = (options.minSeconds ?? 1) * 1000;
  for (let round = 0; round < 100 && (round < options.runs || performance.now() - begin < minMs); round++) {
    for (const [i, fn] of [a, b].entries()) {
      const start = performance.now();
      await fn();
      times[i].push(performance.now() - start);
    }
  }
  return [summarize(times[0]), summarize(times[1])];
}

function row(position: number, capacity: number, cached: Timing, recomputed: Timing): PositionRow {
  return {
    position,
    capacity,
    cached,
    recomputed,
    cachedTokensPerSecond: 1000 / cached.medianMs,
    recomputedTokensPerSecond: 1000 / recomputed.medianMs,
    speedup: recomputed.medianMs / cached.medianMs,
  };
}

/** A run of `graph` as the decoder makes it (feeds are ours, so no NaN scan), only `outputs`. */
const runner = (backend: Backend, graph: Graph, feeds: Feeds, outputs: readonly string[]) => () => backend.run(graph, feeds, { outputs, nonFinite: 'allow' });

/**
 * The char GPT: at each position p, one cached step (the step graph of p's
 * capacity bucket, the cache holding p rows) against the full forward pass
 * over p + 1 tokens (ids drawn at random: cost does not depend on them).
 *
 * @example
 * ```ts
 * const rows = await benchModelDecoding(backend, model, [16, 64, 127], { runs: 5, warmup: 1 });
 * ```
 */
export async function benchModelDecoding(
  backend: Backend,
  model: LanguageModel,
  positions: readonly number[],
  options: DecodingBenchOptions,
): Promise<PositionRow[]> {
  const { config } = model;
  const dtype = backend.dtypes[0];
  const params = Object.fromEntries(Object.entries(model.params).map(([n, t]) => [n, castTensor(t, dtype)]));
  const rand = seededRandom(1);
  const ids = (n: number) =>
    tensor(
      Array.from({ length: n }, () => Math.floor(rand() * config.vocab)),
      [1, n],
      dtype,
    );
  const rows: PositionRow[] = [];
  for (const p of positions) {
    const capacity = cacheCapacity(p + 1, config.maxSeqLen);
    const cache = new KeyValueCache({ layers: config.layers, row: modelCacheRow(config), dtype });
    cache.reserve(capacity);
    const r = modelCacheRow(config);
    for (let i = 0; i < config.layers; i++)
      cache.write(i, randomNormal([1, r.heads, p, r.keyDim], 2 + i, dtype), randomNormal([1, r.heads, p, r.valueDim], 9 + i, dtype));
    cache.advance(p);
    const step = buildDecodeStep(config, { batch: 1, capacity, dtype });
    const stepFeeds = { ...params, ...cache.feeds(), ids: ids(1), position: tensor([p], [1], dtype) };
    const full = buildModel(config, { batch: 1, seqLen: p + 1, dtype, loss: false });
    const [cached, recomputed] = await timeAlternately(
      runner(backend, step, stepFeeds, Object.keys(step.outputs)),
      runner(backend, full, { ...params, ids: ids(p + 1) }, ['logits']),
      options,
    );
    rows.push(row(p, capacity, cached, recomputed));
  }
  return rows;
}

/**
 * A layer alone (the paper-head SAS shape): at each position p, one cached
 * step (the token's q/k/v against a cache of p rows in p's capacity bucket,
 * buckets capped at `maxSeqLen`) against the full layer over p + 1 tokens.
 *
 * @example
 * ```ts
 * const config = { kind: 'sas', batch: 1, seqLen: 1, heads: 12, headDim: 64, simHeads: 24, simHeadDim: 128, kernelSize: 3, causal: true } as const;
 * const rows = await benchLayerDecoding(backend, config, [127, 2047], 2048, { runs: 3, warmup: 1 });
 * ```
 */
export async function benchLayerDecoding(
  backend: Backend,
  config: SASConfig,
  positions: readonly number[],
  maxSeqLen: number,
  options: DecodingBenchOptions,
): Promise<PositionRow[]> {
  const dtype = backend.dtypes[0];
  const params = initParams(config, 1, dtype);
  const { heads, headDim } = config;
  const token = (seed: number, t: number): Record<string, Tensor> => ({
    query: randomNormal([1, t, heads, headDim], seed, dtype),
    key: randomNormal([1, t, heads, headDim], seed + 1, dtype),
    value: randomNormal([1, t, heads, headDim], seed + 2, dtype),
  });
  const r = layerCacheRow(config);
  const rows: PositionRow[] = [];
  for (const p of positions) {
    const capacity = cacheCapacity(p + 1, maxSeqLen);
    const step = buildLayerDecodeStep(config, { capacity, dtype });
    const stepFeeds = {
      ...params,
      ...token(3, 1),
      position: tensor([p], [1], dtype),
      'cache.key': randomNormal([1, r.heads, capacity, r.keyDim], 7, dtype),
      'cache.value': randomNormal([1, r.heads, capacity, r.valueDim], 8, dtype),
    };
    const full = buildLayer({ ...config, seqLen: p + 1 }, { dtype });
    const [cached, recomputed] = await timeAlternately(
      runner(backend, step, stepFeeds, ['output', 'new.key', 'new.value']),
      runner(backend, full, { ...params, ...token(11, p + 1) }, ['output']),
      options,
    );
    rows.push(row(p, capacity, cached, recomputed));
  }
  return rows;
}

/**
 * How a cost grows with position: the exponent a in cost ∝ positionᵃ between
 * the first and last rows (≈ 1 linear, ≈ 2 quadratic; below 1 while fixed
 * costs dominate).
 *
 * @example
 * ```ts
 * growthExponent(rows, (r) => r.recomputed.medianMs); // ≈ 2 for the layer at long T
 * ```
 */
export function growthExponent(rows: readonly PositionRow[], cost: (r: PositionRow) => number): number {
  const [a, b] = [rows[0], rows[rows.length - 1]];
  return Math.log(cost(b) / cost(a)) / Math.log((b.position + 1) / (a.position + 1));
}
