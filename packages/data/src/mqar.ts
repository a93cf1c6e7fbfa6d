import { SasError } from '@sas/core';
import { checkPositiveInt, IGNORE_TARGET, type TokenBatch } from './batch.js';
import { checkSeed, SeededStream, STREAM_CYCLE, type StreamState } from './stream.js';

/**
 * Multi-query associative recall: `pairs` key-value pairs, keys drawn from
 * `keys` ids (0..keys−1), values from `values` ids (keys..keys+values−1).
 */
export interface MqarConfig {
  readonly pairs: number;
  readonly keys: number;
  readonly values: number;
}

/** The training stream of a seed uses draws [0, 2³¹); its evaluation set starts at 2³¹, so the two never share a number. */
const EVALUATION_OFFSET = STREAM_CYCLE / 2;

/**
 * Checks an MQAR configuration: positive integers, and enough keys and values
 * for `pairs` distinct ones.
 *
 * @example
 * ```ts
 * import { checkMqarConfig } from '@sas/data';
 * checkMqarConfig({ pairs: 16, keys: 64, values: 64 }); // fine
 * // checkMqarConfig({ pairs: 8, keys: 4, values: 64 }); // throws E_INPUT: pairs 8 needs at least 8 keys
 * ```
 */
export function checkMqarConfig(config: MqarConfig): void {
  checkPositiveInt(config.pairs, 'mqar: pairs');
  checkPositiveInt(config.keys, 'mqar: keys');
  checkPositiveInt(config.values, 'mqar: values');
  if (config.keys < config.pairs)
    throw new SasError('E_INPUT', `mqar: ${config.pairs} pairs need at least ${config.pairs} distinct keys, got keys ${config.keys}`);
  if (config.values < config.pairs)
    throw new SasError('E_INPUT', `mqar: ${config.pairs} pairs need at least ${config.pairs} distinct values, got values ${config.values}`);
}

/**
 * Vocabulary size of an MQAR task (keys then values).
 *
 * @example
 * ```ts
 * import { mqarVocabSize } from '@sas/data';
 * mqarVocabSize({ pairs: 16, keys: 64, values: 64 }); // 128
 * ```
 */
export function mqarVocabSize(config: MqarConfig): number {
  return config.keys + config.values;
}

/**
 * Sequence length of an MQAR task: the pairs (2N) then the queries (N).
 *
 * @example
 * ```ts
 * import { mqarSeqLen } from '@sas/data';
 * mqarSeqLen({ pairs: 16, keys: 64, values: 64 }); // 48
 * ```
 */
export function mqarSeqLen(config: MqarConfig): number {
  return 3 * config.pairs;
}

/**
 * The first `count` entries of a uniformly random permutation of 0..n−1
 * (partial Fisher–Yates: `count` draws), written into `out`.
 */
function drawDistinct(stream: SeededStream, n: number, count: number, scratch: Int32Array): void {
  for (let i = 0; i < n; i++) scratch[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + stream.below(n - i);
    const t = scratch[i];
    scratch[i] = scratch[j];
    scratch[j] = t;
  }
}

/**
 * Writes one sequence at `offset`. Layout (N pairs):
 * `k₀ v₀ k₁ v₁ … k_{N−1} v_{N−1} q₀ … q_{N−1}`, the queries the N keys in a
 * random order; the target at query j is its key's value, −100 elsewhere.
 * Draws, in order: N for the keys (distinct), N for the values (distinct),
 * N−1 for the query order (Fisher–Yates): 3N−1 per sequence.
 */
function drawSequence(stream: SeededStream, c: MqarConfig, ids: Int32Array, targets: Int32Array, offset: number, scratch: Int32Array): void {
  const n = c.pairs;
  drawDistinct(stream, c.keys, n, scratch);
  const keys = scratch.slice(0, n);
  drawDistinct(stream, c.values, n, scratch);
  const values = scratch.slice(0, n);
  for (let i = 0; i < n; i++) values[i] += c.keys;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = stream.below(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (let i = 0; i < n; i++) {
    ids[offset + 2 * i] = keys[i];
    ids[offset + 2 * i + 1] = values[i];
    targets[offset + 2 * i] = IGNORE_TARGET;
    targets[offset + 2 * i + 1] = IGNORE_TARGET;
    ids[offset + 2 * n + i] = keys[order[i]];
    targets[offset + 2 * n + i] = values[order[i]];
  }
}

function drawBatch(stream: SeededStream, c: MqarConfig, batch: number): TokenBatch {
  const seqLen = mqarSeqLen(c);
  const ids = new Int32Array(batch * seqLen);
  const targets = new Int32Array(batch * seqLen);
  const scratch = new Int32Array(Math.max(c.keys, c.values));
  for (let row = 0; row < batch; row++) drawSequence(stream, c, ids, targets, row * seqLen, scratch);
  return { batch, seqLen, ids, targets };
}

/**
 * Seeded MQAR training batches. Deterministic for a seed; `state` (seed and
 * draws) resumes it exactly. Its stream is disjoint from the seed's
 * evaluation set (`mqarEvaluationSet`).
 *
 * @example
 * ```ts
 * import { MqarSampler } from '@sas/data';
 * const sampler = new MqarSampler({ pairs: 4, keys: 8, values: 8 }, 2, 1);
 * const { ids, targets } = sampler.next(); // each [2, 12]; targets −100 but at the 4 query positions
 * ```
 */
export class MqarSampler {
  private readonly stream: SeededStream;

  constructor(
    private readonly config: MqarConfig,
    private readonly batch: number,
    start: StreamState | number,
  ) {
    checkMqarConfig(config);
    checkPositiveInt(batch, 'mqar: batch');
    this.stream = new SeededStream(start, EVALUATION_OFFSET);
  }

  /** The position to save; a sampler built with it draws the batches this one would draw next. */
  get state(): StreamState {
    return this.stream.state;
  }

  /** The next batch of `batch` sequences. */
  next(): TokenBatch {
    return drawBatch(this.stream, this.config, this.batch);
  }
}

/**
 * The fixed evaluation set of a seed: `sequences` MQAR sequences drawn from
 * the second half of the seed's stream, which training never reaches, so
 * they are fresh to the model yet the same at every evaluation.
 *
 * @example
 * ```ts
 * import { mqarEvaluationSet } from '@sas/data';
 * mqarEvaluationSet({ pairs: 4, keys: 8, values: 8 }, 1, 32).batch; // 32
 * ```
 */
export function mqarEvaluationSet(config: MqarConfig, seed: number, sequences: number): TokenBatch {
  checkMqarConfig(config);
  checkSeed(seed, 'mqar: seed');
  checkPositiveInt(sequences, 'mqar: evaluation sequences');
  return drawBatch(new SeededStream({ seed, draws: EVALUATION_OFFSET }), config, sequences);
}
