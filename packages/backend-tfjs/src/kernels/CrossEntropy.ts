import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core CrossEntropy: the mean over counted positions (target ≠ ignoreIndex)
 * of `logsumexp(row) − row[target]`, logits `[..., V]`, targets `[...]` →
 * a scalar.
 *
 * Each term is computed relative to the row max m as
 * `log Σ exp(x − m) − (row[target] − m)`: both parts are small, so a row of
 * logits around 10⁵ loses nothing, where `logSumExp − row[target]` would
 * subtract two numbers of 10⁵ (float32 ulp 0.008). The target's logit is
 * picked by comparing the target with 0…V−1, so a computed target outside
 * [0, V) (or not an integer) picks nothing (its term is the log-sum-exp, as in
 * core's decomposition) and nothing is read out of bounds. Ignored rows are
 * left out with `tf.where`, not multiplied by 0, so a non-finite logit there
 * cannot turn the mean into NaN; no counted row at all gives NaN (0/0).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 2, op: 'CrossEntropy', inputs: [0, 1], attrs: { ignoreIndex: -100 }, shape: [], dtype: 'float32' as const };
 * const loss = CrossEntropy([tf.tensor2d([[0, 0], [5, 1]]), tf.tensor1d([1, -100])], node); // ln 2
 * ```
 */
export const CrossEntropy = defineKernel<'CrossEntropy'>(([logits, targets], node) => {
  const v = logits.shape[logits.rank - 1];
  const n = targets.size;
  if (n === 0) return tf.scalar(Number.NaN);
  const rows = tf.reshape(logits, [n, v]);
  const max = tf.max(rows, 1, true);
  const shifted = tf.sub(rows, max);
  const hit = tf.equal(tf.reshape(targets, [n, 1]), tf.range(0, v));
  // row[target] − m; a target matching no column picks 0, which relative to m is −m.
  const picked = tf.where(tf.any(hit, 1), tf.sum(tf.where(hit, shifted, tf.zerosLike(shifted)), 1), tf.neg(tf.reshape(max, [n])));
  const terms = tf.sub(tf.log(tf.sum(tf.exp(shifted), 1)), picked);
  const counted = tf.notEqual(tf.reshape(targets, [n]), node.attrs.ignoreIndex);
  const kept = tf.where(counted, terms, tf.zerosLike(terms));
  const count = tf.sum(tf.cast(counted, 'float32'));
  // NaN written out where nothing counts: tfjs-webgl's division returns 1 for 0/0 (its a == b shortcut).
  return tf.where(tf.greater(count, 0), tf.div(tf.sum(kept), count), tf.scalar(Number.NaN));
});
