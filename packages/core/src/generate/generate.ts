// Text in, tokens out: prefill the prompt, then sample one token per step
// against the cache, as an async iterator.

import type { Backend } from '../backend/types.js';
import { SasError } from '../errors.js';
import { seededRandom } from '../nn/init.js';
import { createReferenceBackend } from '../reference/interpreter.js';
import type { DType } from '../tensor.js';
import { Decoder } from './decoder.js';
import type { LanguageModel } from './language-model.js';
import { checkSamplingOptions, sampleToken, type SamplingOptions } from './sampling.js';
import { encodePrompt } from './vocab.js';

/** Options of `generate` and `generateIds`. */
export interface DecodeOptions extends SamplingOptions {
  /** Where the model runs (default: the float64 reference interpreter). */
  readonly backend?: Backend;
  /** Graph dtype (default: the backend's native precision). */
  readonly dtype?: DType;
  /** Tokens to generate; prompt + new tokens ≤ maxSeqLen. Default: every position left. */
  readonly maxNewTokens?: number;
  /** Seed of the sampling draws, an integer in [0, 2³²): the same seed, logits and options give the same tokens. Default: a random one. */
  readonly seed?: number;
}

/** Options of `generate`: decoding plus stop strings. */
export interface GenerateOptions extends DecodeOptions {
  /** Generation ends where the text would end with one of these; the stop string itself is not yielded. */
  readonly stop?: string | readonly string[];
}

/** Options of `generateIds`: decoding plus stop ids. */
export interface GenerateIdsOptions extends DecodeOptions {
  /** Generation ends at any of these ids, which is not yielded. */
  readonly stop?: readonly number[];
}

/** A value as a message shows it. */
const show = (value: unknown): string => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value)));

/** Checks the decode options against the model and the prompt length; returns the token count and the seed. */
function plan(model: LanguageModel, promptLength: number, options: DecodeOptions): { maxNewTokens: number; seed: number } {
  const { maxSeqLen, vocab } = model.config;
  if (promptLength > maxSeqLen) {
    throw new SasError('E_INPUT', `prompt: ${promptLength} tokens exceed the model's maxSeqLen (${maxSeqLen}): it has no position embedding beyond`);
  }
  const room = maxSeqLen - promptLength;
  const maxNewTokens = options.maxNewTokens ?? room;
  if (typeof maxNewTokens !== 'number' || !Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    throw new SasError('E_INPUT', `maxNewTokens: expected a positive integer, got ${show(maxNewTokens)}`);
  }
  if (maxNewTokens > room) {
    throw new SasError(
      'E_INPUT',
      `maxNewTokens: the prompt (${promptLength} tokens) plus ${maxNewTokens} new tokens exceed the model's maxSeqLen (${maxSeqLen}); at most ${room} fit after this prompt`,
    );
  }
  checkSamplingOptions(options, vocab);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new SasError('E_INPUT', `seed: expected an integer in [0, 4294967295], got ${show(seed)}`);
  }
  return { maxNewTokens, seed };
}

/**
 * The token ids a model generates after `prompt` ids, one at a time: the
 * prompt is prefilled in one graph, then each token is sampled (greedy at
 * temperature 0, seeded otherwise) and fed back as one cached step. Every
 * option is checked before anything runs.
 *
 * @example
 * ```ts
 * import { generateIds, initModel } from '@sas/core';
 * const config = { vocab: 13, width: 16, layers: 2, heads: 2, maxSeqLen: 12, attention: { kind: 'mqa' } } as const;
 * const model = { config, params: initModel(config, 1) };
 * for await (const id of generateIds(model, [1, 2, 3], { maxNewTokens: 5, temperature: 0 })) console.log(id);
 * ```
 */
export async function* generateIds(model: LanguageModel, prompt: readonly number[], options: GenerateIdsOptions = {}): AsyncGenerator<number, void, undefined> {
  if (!Array.isArray(prompt) || prompt.length === 0) throw new SasError('E_INPUT', 'prompt: expected at least one token id, got an empty prompt');
  const { maxNewTokens, seed } = plan(model, prompt.length, options);
  const stop = options.stop ?? [];
  if (!Array.isArray(stop) || stop.some((id) => !Number.isInteger(id)))
    throw new SasError('E_INPUT', `stop: expected an array of token ids, got ${show(stop)}`);
  const ownBackend = options.backend === undefined ? createReferenceBackend() : undefined;
  try {
    const decoder = new Decoder(model, { backend: options.backend ?? ownBackend!, dtype: options.dtype });
    const random = seededRandom(seed);
    const logits = await decoder.prefill(prompt);
    const v = model.config.vocab;
    let next = sampleToken(logits.data.subarray((prompt.length - 1) * v), options, random);
    for (let n = 1; ; n++) {
      if (stop.includes(next)) return;
      yield next;
      if (n === maxNewTokens) return;
      next = sampleToken(await decoder.step(next), options, random);
    }
  } finally {
    await ownBackend?.dispose();
  }
}

/**
 * The text a char model generates after `prompt`, as an async iterator of
 * characters (streamed as they come): `generateIds` over the checkpoint's
 * vocabulary. A prompt character outside the vocabulary (named with its
 * position), an empty prompt, prompt + maxNewTokens beyond maxSeqLen, and a
 * non-numeric or out-of-range option are one-line `E_INPUT` errors before
 * anything runs. With `stop`, generation ends where the text would end with a
 * stop string; characters that could begin one are held back until they
 * cannot, so the stop string itself is never yielded.
 *
 * @example
 * ```ts
 * import { generate, readLanguageModel } from '@sas/core';
 * const model = readLanguageModel(bytes, { source: 'gen-sas-brown.safetensors' });
 * let text = '';
 * for await (const ch of generate(model, 'The jury said that the city', { maxNewTokens: 96, temperature: 0 })) text += ch;
 * ```
 */
export async function* generate(model: LanguageModel, prompt: string, options: GenerateOptions = {}): AsyncGenerator<string, void, undefined> {
  const vocab = model.vocab;
  if (!vocab) throw new SasError('E_INPUT', 'generate: this model has no vocabulary (no vocab in its checkpoint metadata): use generateIds with token ids');
  const ids = encodePrompt(prompt, vocab);
  const stops = typeof options.stop === 'string' ? [options.stop] : (options.stop ?? []);
  if (!Array.isArray(stops) || stops.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new SasError('E_INPUT', `stop: expected a non-empty string or an array of them, got ${show(options.stop)}`);
  }
  const { stop: _stop, ...decode } = options;
  let pending = '';
  for await (const id of generateIds(model, ids, decode)) {
    pending += vocab[id];
    const hit = stops.map((s) => pending.indexOf(s)).filter((i) => i >= 0);
    if (hit.length > 0) {
      yield* [...pending.slice(0, Math.min(...hit))];
      return;
    }
    const held = heldBack(pending, stops);
    yield* [...pending.slice(0, pending.length - held)];
    pending = pending.slice(pending.length - held);
  }
  yield* [...pending];
}

/** Length of the longest end of `text` that begins some stop string (and so may still become one). */
function heldBack(text: string, stops: readonly string[]): number {
  let held = 0;
  for (const s of stops) {
    for (let k = Math.min(s.length - 1, text.length); k > held; k--) {
      if (text.endsWith(s.slice(0, k))) {
        held = k;
        break;
      }
    }
  }
  return held;
}
