import { buildModel, Decoder, initModel, seededRandom, tensor, type Backend, type DType, type ModelConfig } from '@sas/core';

/** How far cached decoding strayed from the full forward pass. */
export interface CachedDecodingReport {
  /** max |cached − full| over every logit of every position. */
  readonly maxAbs: number;
  /** The position where it was largest. */
  readonly worstPosition: number;
  /** Cache capacity after the prefill and after each step. */
  readonly capacities: readonly number[];
}

/** Options of `compareCachedDecoding`. */
export interface CachedDecodingOptions {
  readonly dtype?: DType;
  /** Seed of the weights and the token ids. */
  readonly seed?: number;
  /** Tokens in all (default: maxSeqLen). */
  readonly length?: number;
  /** Of which the prompt (default 5). */
  readonly promptLength?: number;
}

/**
 * Decodes a sequence of random ids with a randomly initialised model of
 * `config` both ways on `backend`: one full forward pass over the whole
 * sequence, and a prefill of the prompt followed by one cached step per
 * token (teacher forcing: each step is fed the sequence's next id), then
 * compares the logits at every position.
 *
 * @example
 * ```ts
 * import { createReferenceBackend } from '@sas/core';
 * import { compareCachedDecoding } from '@sas/conformance';
 * const config = { vocab: 11, width: 16, layers: 2, heads: 4, maxSeqLen: 40, attention: { kind: 'gqa', kvHeads: 2 } } as const;
 * (await compareCachedDecoding(createReferenceBackend(), config, { dtype: 'float64' })).maxAbs; // ~1e-15
 * ```
 */
export async function compareCachedDecoding(backend: Backend, config: ModelConfig, options: CachedDecodingOptions = {}): Promise<CachedDecodingReport> {
  const dtype = options.dtype ?? backend.dtypes[0];
  const seed = options.seed ?? 1;
  const length = options.length ?? config.maxSeqLen;
  const promptLength = options.promptLength ?? 5;
  const params = initModel(config, seed, { dtype });
  const rand = seededRandom(seed + 1);
  const ids = Array.from({ length }, () => Math.floor(rand() * config.vocab));
  const full = await backend.run(buildModel(config, { batch: 1, seqLen: length, dtype, loss: false }), { ...params, ids: tensor(ids, [1, length], dtype) });
  const v = config.vocab;
  let maxAbs = 0;
  let worstPosition = 0;
  const compare = (position: number, logits: ArrayLike<number>) => {
    for (let i = 0; i < v; i++) {
      const d = Math.abs(logits[i] - full.logits.data[position * v + i]);
      if (!(d <= maxAbs)) [maxAbs, worstPosition] = [Number.isNaN(d) ? Number.POSITIVE_INFINITY : d, position];
    }
  };
  const decoder = new Decoder({ config, params }, { backend, dtype });
  const prompt = await decoder.prefill(ids.slice(0, promptLength));
  for (let t = 0; t < promptLength; t++) compare(t, prompt.data.subarray(t * v, (t + 1) * v));
  const capacities = [decoder.capacity];
  for (let t = promptLength; t < length; t++) {
    compare(t, await decoder.step(ids[t]));
    capacities.push(decoder.capacity);
  }
  return { maxAbs, worstPosition, capacities };
}

/**
 * Small models of every attention kind whose sequences cross cache
 * capacities (16 → 32 → 40 = maxSeqLen), for `compareCachedDecoding`.
 */
export const DECODING_CONFIGS: Readonly<Record<string, ModelConfig>> = Object.freeze({
  sas: { vocab: 11, width: 16, layers: 2, heads: 4, maxSeqLen: 40, attention: { kind: 'sas', simHeads: 8, simHeadDim: 12, kernelSize: 3 } },
  'sas (no feature maps)': {
    vocab: 11,
    width: 16,
    layers: 2,
    heads: 2,
    maxSeqLen: 40,
    attention: { kind: 'sas', simHeads: 6, kernelSize: 3, featureMaps: false },
  },
  mha: { vocab: 11, width: 16, layers: 2, heads: 4, maxSeqLen: 40, attention: { kind: 'mha' } },
  gqa: { vocab: 11, width: 16, layers: 2, heads: 4, maxSeqLen: 40, attention: { kind: 'gqa', kvHeads: 2 } },
  mqa: { vocab: 11, width: 16, layers: 2, heads: 4, maxSeqLen: 40, attention: { kind: 'mqa' } },
});
