// Incremental decoding of one sequence: prefill the prompt in one graph, then
// one graph run per token against a key/value cache on the host.

import { firstNonFinite } from '../backend/feeds.js';
import type { Backend } from '../backend/types.js';
import { SasError } from '../errors.js';
import type { Graph } from '../ir/types.js';
import { validateModelConfig, type ModelConfig } from '../model/config.js';
import { castTensor, tensor, type DType, type Tensor } from '../tensor.js';
import { KeyValueCache } from './cache.js';
import { cacheCapacity, MIN_CACHE_CAPACITY } from './capacity.js';
import { buildDecodeStep, buildPrefill, modelCacheRow, newKeyName, newValueName } from './graphs.js';
import type { LanguageModel } from './language-model.js';

/** Options of a `Decoder`. */
export interface DecoderOptions {
  /** Where the graphs run. */
  readonly backend: Backend;
  /** Graph dtype (default: the backend's native precision, `backend.dtypes[0]`). */
  readonly dtype?: DType;
  /** Smallest cache capacity (default `MIN_CACHE_CAPACITY`). */
  readonly minCapacity?: number;
}

/**
 * Graphs per model config object, so every decoder of one model shares them
 * (backends compile per graph object: ONNX Runtime a session, tfjs/ndarray a plan).
 */
const graphCache = new WeakMap<ModelConfig, Map<string, Graph>>();
/** Params checked finite and cast to a graph dtype, per params object. */
const castCache = new WeakMap<object, Map<DType, Record<string, Tensor>>>();

function cachedGraph(config: ModelConfig, key: string, build: () => Graph): Graph {
  let graphs = graphCache.get(config);
  if (!graphs) graphCache.set(config, (graphs = new Map()));
  let graph = graphs.get(key);
  if (!graph) graphs.set(key, (graph = build()));
  return graph;
}

function paramsAs(params: Readonly<Record<string, Tensor>>, dtype: DType): Record<string, Tensor> {
  let byDtype = castCache.get(params);
  if (!byDtype) castCache.set(params, (byDtype = new Map()));
  let cast = byDtype.get(dtype);
  if (!cast) {
    for (const [name, t] of Object.entries(params)) {
      const bad = firstNonFinite(t.data);
      if (bad >= 0) throw new SasError('E_WEIGHTS', `params: tensor '${name}' element ${bad} is ${t.data[bad]} (a model to decode needs finite weights)`);
    }
    cast = Object.fromEntries(Object.entries(params).map(([name, t]) => [name, t.dtype === dtype ? t : castTensor(t, dtype)]));
    byDtype.set(dtype, cast);
  }
  return cast;
}

/**
 * Decodes one sequence of a `LanguageModel` on a backend: `prefill` runs the
 * prompt through the model in one graph and fills the cache with every
 * block's keys and values (for SAS the simulated ones, computed once per
 * token); `step` runs one token against the cache in a graph for the cache's
 * capacity bucket (`cacheCapacity`), adding that token's row. A step never
 * recomputes the prefix: its cost grows with the capacity it reads, which
 * stays within twice the position. The logits equal the full forward pass's
 * (tests: 1e-12 in float64, 1e-5 in float32).
 *
 * @example
 * ```ts
 * import { Decoder, createReferenceBackend, initModel } from '@sas/core';
 * const config = { vocab: 13, width: 16, layers: 2, heads: 2, maxSeqLen: 12, attention: { kind: 'sas', simHeads: 4, simHeadDim: 16, kernelSize: 3 } } as const;
 * const decoder = new Decoder({ config, params: initModel(config, 1) }, { backend: createReferenceBackend() });
 * const prompt = await decoder.prefill([1, 2, 3]); // logits [1, 3, 13]
 * const next = await decoder.step(4); // logits [13] at position 3
 * ```
 */
export class Decoder {
  readonly config: ModelConfig;
  readonly dtype: DType;
  readonly backend: Backend;
  private readonly params: Record<string, Tensor>;
  private readonly minCapacity: number;
  private cache: KeyValueCache | undefined;

  constructor(model: LanguageModel, options: DecoderOptions) {
    this.config = validateModelConfig(model.config);
    this.backend = options.backend;
    this.dtype = options.dtype ?? options.backend.dtypes[0];
    if (!options.backend.dtypes.includes(this.dtype)) {
      throw new SasError(
        'E_DTYPE',
        `backend '${options.backend.name}' (${options.backend.mode}) runs ${options.backend.dtypes.join('/')} graphs, not ${this.dtype}`,
      );
    }
    this.minCapacity = options.minCapacity ?? MIN_CACHE_CAPACITY;
    if (!Number.isInteger(this.minCapacity) || this.minCapacity < 1) {
      throw new SasError('E_INPUT', `minCapacity: expected a positive integer, got ${String(options.minCapacity)}`);
    }
    this.params = paramsAs(model.params, this.dtype);
  }

  /** Tokens decoded so far (prompt included): the next token's position. */
  get length(): number {
    return this.cache?.length ?? 0;
  }

  /** Slots the cache holds now (its capacity bucket). */
  get capacity(): number {
    return this.cache?.capacity ?? 0;
  }

  /**
   * Starts a sequence: runs the prompt `ids` (1 ≤ P ≤ maxSeqLen ids in [0,
   * vocab)) through the model in one graph and keeps every block's keys and
   * values. Resolves to the prompt's logits [1, P, vocab].
   */
  async prefill(ids: readonly number[]): Promise<Tensor> {
    const { maxSeqLen } = this.config;
    if (!Array.isArray(ids) || ids.length === 0) throw new SasError('E_INPUT', 'prefill: expected at least one token id, got none');
    if (ids.length > maxSeqLen) {
      throw new SasError('E_INPUT', `prefill: ${ids.length} tokens exceed the model's maxSeqLen (${maxSeqLen}): it has no position embedding beyond`);
    }
    const p = ids.length;
    const graph = cachedGraph(this.config, `prefill ${p} ${this.dtype}`, () => buildPrefill(this.config, { batch: 1, seqLen: p, dtype: this.dtype }));
    const out = await this.backend.run(graph, { ...this.params, ids: tensor(ids, [1, p], this.dtype) }, { nonFinite: 'allow' });
    const cache = new KeyValueCache({ layers: this.config.layers, row: modelCacheRow(this.config), dtype: this.dtype });
    cache.reserve(cacheCapacity(Math.min(p + 1, maxSeqLen), maxSeqLen, this.minCapacity));
    this.store(cache, out);
    this.cache = cache;
    return out.logits;
  }

  /**
   * Feeds the next token `id` (at position `length`) and resolves to its
   * logits [vocab]: the model's prediction for the token after it.
   */
  async step(id: number): Promise<Float32Array | Float64Array> {
    const cache = this.cache;
    if (!cache) throw new SasError('E_INPUT', 'step: prefill a prompt first (the cache is empty)');
    const { maxSeqLen, vocab } = this.config;
    const position = cache.length;
    if (position >= maxSeqLen) {
      throw new SasError('E_INPUT', `step: position ${position} is past the model's maxSeqLen (${maxSeqLen}): it has no position embedding there`);
    }
    if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new SasError('E_INPUT', `step: token id must be an integer in [0, ${vocab}), got ${id}`);
    const capacity = cacheCapacity(position + 1, maxSeqLen, this.minCapacity);
    cache.reserve(capacity);
    const graph = cachedGraph(this.config, `step ${capacity} ${this.dtype}`, () => buildDecodeStep(this.config, { batch: 1, capacity, dtype: this.dtype }));
    const feeds = { ...this.params, ...cache.feeds(), ids: tensor([id], [1, 1], this.dtype), position: tensor([position], [1], this.dtype) };
    // The cache holds what our graphs computed and the weights were checked once (paramsAs): skip the per-run NaN scan of every feed.
    const out = await this.backend.run(graph, feeds, { nonFinite: 'allow' });
    this.store(cache, out);
    return out.logits.data;
  }

  private store(cache: KeyValueCache, out: Record<string, Tensor>): void {
    for (let i = 0; i < this.config.layers; i++) cache.write(i, out[newKeyName(i)], out[newValueName(i)]);
    cache.advance(out[newKeyName(0)].shape[2]);
  }
}
