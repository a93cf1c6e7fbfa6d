// How a decoding step sees a growing cache with static graph shapes: the
// cache has a capacity, a power of two, and the step graph for that capacity
// hides the unused slots with a score bias (docs/generation.md says why).

import { SasError } from '../errors.js';

/** The smallest cache capacity a decoder uses (a step graph per capacity; below this, graphs would be rebuilt for nothing). */
export const MIN_CACHE_CAPACITY = 16;

/**
 * The cache capacity for `length` tokens: the smallest power of two ≥ length
 * and ≥ `minimum`, but at most `maxSeqLen` (a model has no position beyond
 * it). So a decode of n tokens uses about log2(n) step graphs, and a step
 * at position p reads at most max(2p, minimum) slots: its cost stays
 * within twice a step that read exactly p + 1.
 *
 * @example
 * ```ts
 * import { cacheCapacity } from '@sas/core';
 * cacheCapacity(28, 128); // 32
 * cacheCapacity(100, 128); // 128
 * cacheCapacity(3, 128); // 16
 * cacheCapacity(100, 100); // 100 (capped at maxSeqLen)
 * ```
 */
export function cacheCapacity(length: number, maxSeqLen: number, minimum = MIN_CACHE_CAPACITY): number {
  if (!Number.isInteger(length) || length < 1 || length > maxSeqLen) {
    throw new SasError('E_INPUT', `cache length: expected an integer in [1, ${maxSeqLen}] (the model's maxSeqLen), got ${length}`);
  }
  let capacity = Math.max(1, minimum);
  while (capacity < length) capacity *= 2;
  return Math.min(capacity, maxSeqLen);
}
