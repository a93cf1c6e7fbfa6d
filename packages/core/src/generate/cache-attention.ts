// The attention of the decoding graphs: the prefill attends as the full
// forward pass and records the keys and values its tokens made (the cache's
// first rows); a step attends to the cache plus its own token, the unused
// slots hidden, without ever building a cache-sized tensor.

import { SasError } from '../errors.js';
import type { NodeRef } from '../ir/builder.js';
import type { Attend } from '../nn/attend.js';
import { scaledDotProductAttention } from '../nn/attention-core.js';
import { add } from '../ops/Add.js';
import { equal } from '../ops/Equal.js';
import { matMul } from '../ops/MatMul.js';
import { mul } from '../ops/Mul.js';
import { reshape } from '../ops/Reshape.js';
import { softmax } from '../ops/Softmax.js';
import { step } from '../ops/Step.js';
import { sub } from '../ops/Sub.js';
import { transpose } from '../ops/Transpose.js';

/**
 * The score bias of a hidden cache slot. exp(−1e30 − max) is exactly 0 in
 * float32 and float64, so a hidden slot gets probability 0, as a causal mask's
 * −∞ would give; finite, so 0·bias stays 0 for a seen slot (−∞ would give NaN).
 */
export const HIDDEN_SCORE = -1e30;

/** The keys and values one block's attention saw for the graph's tokens, heads first ([.., T, Dk], [.., T, Dv]). */
export interface RecordedKeyValues {
  key: NodeRef;
  value: NodeRef;
}

/**
 * Attention that records the keys and values it is given in `into` (one
 * entry per block, in block order) and attends with `then` (default: as the
 * full forward pass). The prefill records its tokens' rows for the cache; a
 * step records the one row it adds.
 *
 * @example
 * ```ts
 * import { recordingAttention, type RecordedKeyValues } from '@sas/core';
 * const recorded: RecordedKeyValues[] = [];
 * const attend = recordingAttention(recorded); // a layer scope's attend; recorded[i] then holds block i's
 * ```
 */
export function recordingAttention(into: RecordedKeyValues[], then: Attend = scaledDotProductAttention): Attend {
  return (q, k, v, scale, causal) => {
    into.push({ key: k, value: v });
    return then(q, k, v, scale, causal);
  };
}

/** What a step at `position` knows about the cache's slots, shared by every block of its graph. */
export interface CacheSlots {
  /** [C]: 1 at the step's own slot (its position), else 0. */
  readonly current: NodeRef;
  /** [C, 1]: the same as a column, to pick the own slot's probability with one product. */
  readonly currentColumn: NodeRef;
  /** [C]: 0 for slots 0..position, HIDDEN_SCORE after. */
  readonly bias: NodeRef;
}

/**
 * The slots of a capacity-C cache as a step at `position` ([1], an integer
 * below C) sees them, computed in the graph from the position alone.
 *
 * @example
 * ```ts
 * import { GraphBuilder, cacheSlots } from '@sas/core';
 * const b = new GraphBuilder();
 * const slots = cacheSlots(b.input('position', [1], { indexRange: 32 }), 32); // current, bias: [32]
 * ```
 */
export function cacheSlots(position: NodeRef, capacity: number): CacheSlots {
  const slot = position.builder.constant(
    Array.from({ length: capacity }, (_, j) => j),
    [capacity],
  );
  const current = equal(slot, position);
  return { current, currentColumn: reshape(current, [capacity, 1]), bias: mul(step(sub(slot, position)), HIDDEN_SCORE) };
}

/**
 * A step's attention for one new token against a cache `cacheKey`
 * [B, kvHeads, C, Dk] / `cacheValue` [B, kvHeads, C, Dv] (heads first, as the
 * layer's attention lays keys out; earlier tokens in slots 0..position−1,
 * zeros from `position` on). The token's own score is added into its (zero)
 * slot and its own value weighted by that slot's probability, so the cache is
 * read twice (scores, then values) and never copied: O(C) work, no C-sized
 * tensor other than the scores.
 *
 * @example
 * ```ts
 * import { GraphBuilder, cacheSlots, cachedAttention } from '@sas/core';
 * const b = new GraphBuilder();
 * const slots = cacheSlots(b.input('position', [1], { indexRange: 16 }), 16);
 * const attend = cachedAttention(b.input('cache.0.key', [1, 2, 16, 8]), b.input('cache.0.value', [1, 2, 16, 8]), slots);
 * ```
 */
export function cachedAttention(cacheKey: NodeRef, cacheValue: NodeRef, slots: CacheSlots): Attend {
  return (q, k, v, scale) => {
    const capacity = cacheKey.shape[2];
    if (k.shape.at(-2) !== 1 || q.shape.at(-2) !== 1) {
      throw new SasError('E_SHAPE', `cachedAttention: a step attends for one new token, got queries ${q.shape.at(-2)} and keys ${k.shape.at(-2)}`);
    }
    // Head axes of the keys: SAS [B, H'], GQA [B, kv, 1] (one kv head serves a group of query heads).
    const kvHeads = k.shape.slice(0, -2);
    const group = q.shape.slice(0, -2).reduce((a, b) => a * b, 1) / kvHeads.reduce((a, b) => a * b, 1);
    const [dk, dv] = [cacheKey.shape[3], cacheValue.shape[3]];
    // A kv head's queries as the rows of one matrix [group, Dk] (one token, so a reshape).
    const queries = reshape(q, [...kvHeads, group, dk]);
    const cachedKeys = reshape(cacheKey, [...kvHeads, capacity, dk]);
    const cachedValues = reshape(cacheValue, [...kvHeads, capacity, dv]);
    // Products with the cache read it as it lies, K·qᵀ and Vᵀ·p (rows of K and V are slots), so no
    // backend transposes a cache-sized operand; the small [C, group] results are turned instead.
    const own = matMul(queries, k, false, true); // [.., group, 1]
    const fromCache = swapLastAxes(matMul(cachedKeys, queries, false, true)); // [.., group, C]; the own slot is 0
    const scores = add(fromCache, mul(own, slots.current));
    const probabilities = softmax(add(mul(scores, scale), slots.bias));
    const read = swapLastAxes(matMul(cachedValues, swapLastAxes(probabilities), true, false)); // [.., group, Dv]
    const attended = add(read, mul(matMul(probabilities, slots.currentColumn), v));
    return reshape(attended, [...q.shape.slice(0, -1), dv]);
  };
}

/** Swaps the last two axes: a reshape when one of them is 1 (the common case: one query per kv head). */
function swapLastAxes(x: NodeRef): NodeRef {
  const n = x.shape.length;
  const [rows, columns] = [x.shape[n - 2], x.shape[n - 1]];
  if (rows === 1 || columns === 1) return reshape(x, [...x.shape.slice(0, -2), columns, rows]);
  const perm = x.shape.map((_, i) => i);
  [perm[n - 2], perm[n - 1]] = [n - 1, n - 2];
  return transpose(x, perm);
}
