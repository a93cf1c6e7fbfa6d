// The key/value sources of the decoding graphs: the prefill records the keys
// and values its tokens made (the cache's first rows); a step attends to the
// cache with its own token written in, the unused slots hidden.

import type { NodeRef } from '../ir/builder.js';
import { ownKeyValues, type KeyValueSource } from '../nn/key-values.js';
import { add } from '../ops/Add.js';
import { equal } from '../ops/Equal.js';
import { mul } from '../ops/Mul.js';
import { reshape } from '../ops/Reshape.js';
import { step } from '../ops/Step.js';
import { sub } from '../ops/Sub.js';

/**
 * The score bias of a hidden cache slot. exp(−1e30 − max) is exactly 0 in
 * float32 and float64, so a hidden slot gets probability 0, as a causal mask's
 * −∞ would give; finite, so 0·bias stays 0 for a seen slot (−∞ would give NaN).
 */
export const HIDDEN_SCORE = -1e30;

/** The keys and values a graph's tokens made, one entry per block. */
export interface RecordedKeyValues {
  key: NodeRef;
  value: NodeRef;
}

/**
 * A source that records the keys and values the graph's tokens made in `into`
 * (one entry per block, in block order) and lets attention read what `then`
 * gives (default: those keys and values, causal, as the full forward pass).
 * The prefill records its tokens' rows for the cache; a step records the one
 * row it adds.
 *
 * @example
 * ```ts
 * import { recordKeyValues, type RecordedKeyValues } from '@sas/core';
 * const recorded: RecordedKeyValues[] = [];
 * const source = recordKeyValues(recorded); // pass as keyValues; recorded[i] then holds block i's
 * ```
 */
export function recordKeyValues(into: RecordedKeyValues[], then: KeyValueSource = ownKeyValues): KeyValueSource {
  return (key, value) => {
    into.push({ key, value });
    return then(key, value);
  };
}

/** The slot a step writes and the slots it sees, shared by every block of a step graph. */
export interface CacheSlots {
  /** [C]: 1 at the step's position, else 0. */
  readonly current: NodeRef;
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
  return { current: equal(slot, position), bias: mul(step(sub(slot, position)), HIDDEN_SCORE) };
}

/**
 * A step's source: the cache `[B, C, kvHeads, ·]` (earlier tokens in slots
 * 0..position−1, zeros after) with the step's own key and value written into
 * slot `position` (the slot is zero, so adding is writing), the slots after it
 * hidden by the bias. The cache is read once; nothing of the prefix is
 * recomputed.
 *
 * @example
 * ```ts
 * import { GraphBuilder, cacheSlots, cachedKeyValues } from '@sas/core';
 * const b = new GraphBuilder();
 * const slots = cacheSlots(b.input('position', [1], { indexRange: 16 }), 16);
 * const source = cachedKeyValues(b.input('cache.0.key', [1, 16, 2, 8]), b.input('cache.0.value', [1, 16, 2, 8]), slots);
 * ```
 */
export function cachedKeyValues(cacheKey: NodeRef, cacheValue: NodeRef, slots: CacheSlots): KeyValueSource {
  const capacity = cacheKey.shape[1];
  const current = reshape(slots.current, [1, capacity, 1, 1]);
  return (key, value) => ({
    key: add(cacheKey, mul(current, key)),
    value: add(cacheValue, mul(current, value)),
    bias: slots.bias,
  });
}
