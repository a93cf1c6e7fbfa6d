import * as tf from '@tensorflow/tfjs-core';
import { checkIds } from '../tfops/ids.js';
import { sizeOfShape } from '../tfops/shape.js';
import { defineKernel } from './kernel.js';

/**
 * Core Gather (embedding lookup): `tf.gather` of the table's rows at the
 * ids, `[V, w]` by `[...]` → `[..., w]`. A computed id that is not an
 * integer in [0, V) gives a zero row, as in core's decomposition: it is
 * gathered as row 0 (never out of bounds) and its row replaced by zeros with
 * `tf.where`, so an Inf or NaN in row 0 does not leak into it.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 2, op: 'Gather', inputs: [0, 1], attrs: {}, shape: [3, 2], dtype: 'float32' as const };
 * const y = Gather([tf.tensor2d([[1, 2], [3, 4]]), tf.tensor1d([1, 0, 9])], node); // [[3, 4], [1, 2], [0, 0]]
 * ```
 */
export const Gather = defineKernel<'Gather'>(([table, ids], node) => {
  const [rows, width] = table.shape;
  if (sizeOfShape(node.shape) === 0 || rows === 0) return tf.zeros([...node.shape]);
  const flat = tf.reshape(ids, [ids.size]);
  const { valid, safe } = checkIds(flat, rows);
  const picked = tf.gather(table, safe, 0);
  const kept = tf.where(tf.broadcastTo(tf.reshape(valid, [ids.size, 1]), [ids.size, width]), picked, tf.zerosLike(picked));
  return tf.reshape(kept, [...node.shape]);
});
