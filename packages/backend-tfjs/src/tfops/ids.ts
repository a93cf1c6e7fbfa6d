import * as tf from '@tensorflow/tfjs-core';

/** Integer ids read from a float tensor: which are usable, and a copy safe to index with. */
export interface CheckedIds {
  /** bool, shaped like the ids: true where the id is an integer in [0, n). */
  readonly valid: tf.Tensor;
  /** int32, shaped like the ids: the id where valid, else 0, so a gather or scatter never leaves [0, n). */
  readonly safe: tf.Tensor;
}

/**
 * Splits float `ids` into the usable ones and an int32 copy that is always
 * in bounds. Ids a graph computes (not fed, so no feed check stands before
 * the kernel) may be negative, ≥ n, fractional, NaN or ±∞: core's model ops
 * treat such an id as matching no row (their decompositions compare it with
 * 0…n−1), and tfjs's gather would throw on cpu and read out of bounds on
 * wasm, so every id that is not an integer in [0, n) is replaced by 0 here
 * and its `valid` entry is false for the caller to zero its row. Call inside
 * `tf.tidy`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const { valid, safe } = checkIds(tf.tensor1d([2, -1, 1.5, 7]), 5);
 * valid.dataSync(); // [1, 0, 0, 0]
 * safe.dataSync();  // [2, 0, 0, 0]
 * ```
 */
export function checkIds(ids: tf.Tensor, n: number): CheckedIds {
  const valid = tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, n)), tf.equal(tf.floor(ids), ids));
  const safe = tf.cast(tf.where(valid, ids, tf.zerosLike(ids)), 'int32');
  return { valid, safe };
}
