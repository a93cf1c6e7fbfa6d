// How a layer's queries see keys and values. A full forward pass attends to
// the keys and values of its own tokens under a causal mask; a decoding step
// attends to a cache of earlier tokens' keys and values plus its own. The
// layers (sas.ts, attention.ts) ask a `KeyValueSource` for what to attend to,
// so one definition of each layer serves the full forward, the prefill and
// the cached step (packages/core/src/generate/).

import type { NodeRef } from '../ir/builder.js';

/** What a layer's attention reads: keys and values token-major, and how it masks them. */
export interface AttendedKeyValues {
  /** Keys [B, Tk, kvHeads, Dk] (SAS: the simulated keys, kvHeads = H'). */
  readonly key: NodeRef;
  /** Values [B, Tk, kvHeads, Dv] (SAS: the simulated values). */
  readonly value: NodeRef;
  /**
   * An additive score bias broadcasting to the scores [.., Tq, Tk] (0 where a
   * key is seen, a large negative number where not). When present it replaces
   * the layer's causal mask.
   */
  readonly bias?: NodeRef;
}

/**
 * Given the keys and values of the tokens a graph computes ([B, T, kvHeads, ·],
 * token-major, as the layer made them), what attention reads.
 */
export type KeyValueSource = (key: NodeRef, value: NodeRef) => AttendedKeyValues;

/**
 * The full forward pass's source: the tokens' own keys and values, under the
 * layer's causal mask (or none).
 *
 * @example
 * ```ts
 * import { GraphBuilder, ownKeyValues } from '@sas/core';
 * const b = new GraphBuilder();
 * const k = b.input('k', [1, 4, 2, 8]);
 * ownKeyValues(k, k).key === k; // true
 * ```
 */
export const ownKeyValues: KeyValueSource = (key, value) => ({ key, value });
