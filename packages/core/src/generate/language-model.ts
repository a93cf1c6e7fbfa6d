import { decodeCheckpoint } from '../io/checkpoint.js';
import { firstNonFinite } from '../backend/feeds.js';
import { SasError } from '../errors.js';
import type { ModelConfig } from '../model/config.js';
import type { Tensor } from '../tensor.js';
import { parseVocabulary } from './vocab.js';

/** A trained char GPT (MODEL.md) ready to decode: config, weights and, for char models, the vocabulary. */
export interface LanguageModel {
  readonly config: ModelConfig;
  /** Every parameter under MODEL.md's names. */
  readonly params: Readonly<Record<string, Tensor>>;
  /** Id → character, for char models (the checkpoint's `vocab` metadata); absent for a model of ids alone. */
  readonly vocab?: readonly string[];
}

/**
 * Reads a MODEL.md checkpoint from safetensors bytes: a weights file with
 * `model` (and, for char models, `vocab`) in `__metadata__` (F32, F16, BF16 or
 * F64, such as MODEL.md's generation fixture), or a checkpoint of `sas train`
 * (its optimizer moments are left out). Names and shapes are checked against
 * the config: the first missing, unexpected or mis-shaped tensor is a
 * one-line `E_WEIGHTS` error naming it, as is a NaN or ±Inf weight. Bytes in,
 * model out: reading the file is the caller's (`readLanguageModelFile` of
 * @sas/conformance on Node, `fetch` in a browser).
 *
 * @example
 * ```ts
 * import { readLanguageModel } from '@sas/core';
 * const model = readLanguageModel(bytes, { source: 'gen-sas-brown.safetensors' });
 * model.config.maxSeqLen; // 128
 * model.vocab?.length; // 84
 * ```
 */
export function readLanguageModel(bytes: Uint8Array, options: { readonly source?: string } = {}): LanguageModel {
  const source = options.source ?? '<bytes>';
  const checkpoint = decodeModelCheckpoint(bytes, source);
  for (const [name, t] of Object.entries(checkpoint.params)) {
    const bad = firstNonFinite(t.data);
    if (bad >= 0) throw new SasError('E_WEIGHTS', `${source}: tensor '${name}' element ${bad} is ${t.data[bad]} (a model to decode needs finite weights)`);
  }
  const text = checkpoint.metadata?.vocab;
  const vocab = text === undefined ? undefined : parseVocabulary(text, checkpoint.config.vocab, source);
  return { config: checkpoint.config, params: checkpoint.params, ...(vocab ? { vocab } : {}) };
}

/** `decodeCheckpoint`, with what the two commonest wrong files are said in its errors. */
function decodeModelCheckpoint(bytes: Uint8Array, source: string) {
  try {
    return decodeCheckpoint(bytes, { source });
  } catch (e) {
    if (!(e instanceof SasError) || e.code !== 'E_WEIGHTS') throw e;
    if (e.message.includes("__metadata__ has no 'model'")) {
      throw new SasError(
        'E_WEIGHTS',
        `${source}: not a model checkpoint: its __metadata__ has no 'model' (the char GPT's config, MODEL.md), as a layer's weight file has none`,
      );
    }
    if (e.message.includes("unexpected tensor 'param."))
      throw new SasError('E_WEIGHTS', `${e.message}: tensors under param.* are a MODEL.md fixture case, not a checkpoint`);
    throw e;
  }
}
