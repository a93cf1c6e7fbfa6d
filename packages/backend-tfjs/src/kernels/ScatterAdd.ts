import * as tf from '@tensorflow/tfjs-core';
import { checkIds } from '../tfops/ids.js';
import { sizeOfShape } from '../tfops/shape.js';
import { defineKernel } from './kernel.js';

/**
 * Core ScatterAdd (the embedding's table gradient): `tf.scatterND` of the
 * update rows into a zero `[rows, w]`, repeated ids accumulating (tfjs's
 * scatterND sums duplicates on every backend; tfjs-wasm has no
 * UnsortedSegmentSum kernel). A computed id that is not an integer in
 * [0, rows) drops its row, as in core's decomposition: the row is zeroed
 * and sent to row 0, so nothing is written out of bounds.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 2, op: 'ScatterAdd', inputs: [0, 1], attrs: { rows: 3 }, shape: [3, 2], dtype: 'float32' as const };
 * const dTable = ScatterAdd([tf.tensor1d([2, 2, 7]), tf.ones([3, 2])], node); // [[0, 0], [0, 0], [2, 2]]
 * ```
 */
export const ScatterAdd = defineKernel<'ScatterAdd'>(([ids, updates], node) => {
  const { rows } = node.attrs;
  const width = node.shape[1];
  const n = ids.size;
  if (sizeOfShape(node.shape) === 0 || n === 0) return tf.zeros([...node.shape]);
  const { valid, safe } = checkIds(tf.reshape(ids, [n]), rows);
  const flat = tf.reshape(updates, [n, width]);
  const kept = tf.where(tf.broadcastTo(tf.reshape(valid, [n, 1]), [n, width]), flat, tf.zerosLike(flat));
  return tf.scatterND(tf.reshape(safe, [n, 1]), kept, [rows, width]);
});
