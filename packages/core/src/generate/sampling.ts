// Picking the next token from logits: greedy at temperature 0, else a seeded
// draw from the softmax at that temperature, optionally cut to the top k
// tokens and to the smallest set holding probability top p (nucleus).

import { SasError } from '../errors.js';

/** How the next token is chosen. */
export interface SamplingOptions {
  /** 0: greedy (argmax); above 0: softmax(logits / temperature). Default 1. */
  readonly temperature?: number;
  /** Keep only the k most likely tokens (1 ≤ k ≤ vocab). Default: all. */
  readonly topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (0 < p ≤ 1). Default 1: all. */
  readonly topP?: number;
}

/** A value as a message shows it. */
function show(value: unknown): string {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
}

/**
 * Checks sampling options (and returns them with defaults): a non-numeric or
 * out-of-range one is an `E_INPUT` error naming it, what was expected and
 * what came.
 *
 * @example
 * ```ts
 * import { checkSamplingOptions } from '@sas/core';
 * checkSamplingOptions({ temperature: 0.8, topK: 20 }, 84); // { temperature: 0.8, topK: 20, topP: 1 }
 * // checkSamplingOptions({ topP: 1.5 }, 84) throws: topP: expected a number in (0, 1], got 1.5
 * ```
 */
export function checkSamplingOptions(options: SamplingOptions, vocab: number): Required<SamplingOptions> {
  const { temperature = 1, topK = vocab, topP = 1 } = options;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw new SasError('E_INPUT', `temperature: expected a finite number ≥ 0 (0 is greedy), got ${show(temperature)}`);
  }
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > vocab) {
    throw new SasError('E_INPUT', `topK: expected an integer in [1, ${vocab}] (the vocabulary size), got ${show(topK)}`);
  }
  if (typeof topP !== 'number' || !Number.isFinite(topP) || topP <= 0 || topP > 1) {
    throw new SasError('E_INPUT', `topP: expected a number in (0, 1], got ${show(topP)}`);
  }
  return { temperature, topK, topP };
}

/**
 * The index of the largest logit (the first on a tie).
 *
 * @example
 * ```ts
 * import { argmax } from '@sas/core';
 * argmax([0.1, 2, -1, 2]); // 1
 * ```
 */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/**
 * Picks a token from `logits` [vocab]: argmax at temperature 0; otherwise
 * the softmax of logits / temperature, cut to the top k and to the top p of
 * probability (ties in order of id), renormalised, and one draw `u` in [0, 1)
 * from `random`. Deterministic for a given `random` sequence. Logits holding
 * NaN or ±Inf are an `E_BACKEND` error (no silent NaN).
 *
 * @example
 * ```ts
 * import { sampleToken, seededRandom } from '@sas/core';
 * sampleToken([1, 3, 2], { temperature: 0 }, Math.random); // 1
 * sampleToken([1, 3, 2], { temperature: 0.7, topK: 2 }, seededRandom(7)); // 1 or 2, the same for seed 7 every time
 * ```
 */
export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions, random: () => number): number {
  const n = logits.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(logits[i])) throw new SasError('E_BACKEND', `sampling: logit ${i} is ${logits[i]} (the model produced non-finite logits)`);
  }
  const { temperature, topK, topP } = checkSamplingOptions(options, n);
  if (temperature === 0) return argmax(logits);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  const top = logits[order[0]];
  const weights = order.slice(0, topK).map((i) => Math.exp((logits[i] - top) / temperature));
  const total = weights.reduce((s, w) => s + w, 0);
  let keep = weights.length;
  if (topP < 1) {
    let mass = 0;
    for (let i = 0; i < weights.length; i++) {
      mass += weights[i] / total;
      if (mass >= topP) {
        keep = i + 1;
        break;
      }
    }
  }
  const kept = weights.slice(0, keep);
  const sum = kept.reduce((s, w) => s + w, 0);
  let u = random() * sum;
  for (let i = 0; i < keep; i++) {
    u -= kept[i];
    if (u < 0) return order[i];
  }
  return order[keep - 1];
}
