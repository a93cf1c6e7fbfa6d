import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SasError, fmtShape } from '@sas/core';

/** The masks one call combines; each optional. */
export interface CallMasks {
  /** [B, Tq]: padded query positions (their rows attend to nothing). */
  readonly query?: tf.Tensor | null;
  /** [B, Tk]: padded value positions (no query attends to them). */
  readonly value?: tf.Tensor | null;
  /** [B, Tk]: padded key positions, when the key is a tensor of its own. */
  readonly key?: tf.Tensor | null;
  /** [B, Tq, Tk], [1, Tq, Tk] or [Tq, Tk]: which query may attend to which key. */
  readonly attention?: tf.Tensor | null;
}

const layerOwnsComputeMask = (layer: tfl.layers.Layer) => layer.computeMask !== tfl.layers.Layer.prototype.computeMask;

/**
 * Whether tfjs can attach a Keras mask to `t` when a model runs. tfjs's
 * executor records a mask for a layer's output only when the layer supports
 * masking: a layer with its own `computeMask` (Embedding with maskZero,
 * Masking, custom layers) may create one; with tfjs's default it passes on
 * its first input's mask. Inputs of the model carry none.
 *
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * const ids = tfl.input({ shape: [8] });
 * mayCarryKerasMask(tfl.layers.embedding({ inputDim: 9, outputDim: 4, maskZero: true }).apply(ids) as tfl.SymbolicTensor); // true
 * ```
 */
export function mayCarryKerasMask(t: tfl.SymbolicTensor): boolean {
  for (let current: tfl.SymbolicTensor | undefined = t; current; current = current.inputs[0]) {
    const layer = current.sourceLayer;
    if (!layer?.supportsMasking) return false;
    if (layerOwnsComputeMask(layer)) return true;
  }
  return false;
}

/**
 * Whether the tensor tfjs computes for `t` carries its Keras mask itself
 * (`tensor.kerasMask`): tfjs sets it only on the output of a layer that
 * computes the mask from its own inputs. A mask passed on through other
 * layers reaches a layer only as its first input's mask.
 *
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * const ids = tfl.input({ shape: [8] });
 * holdsOwnKerasMask(tfl.layers.embedding({ inputDim: 9, outputDim: 4, maskZero: true }).apply(ids) as tfl.SymbolicTensor); // true
 * ```
 */
export function holdsOwnKerasMask(t: tfl.SymbolicTensor, isAttentionLayer: (layer: tfl.layers.Layer) => boolean = () => false): boolean {
  const layer = t.sourceLayer;
  if (!layer?.supportsMasking || !layerOwnsComputeMask(layer)) return false;
  // An attention layer's output holds its query's mask, which it has only if that query held it.
  return isAttentionLayer(layer) ? t.inputs.length > 0 && holdsOwnKerasMask(t.inputs[0], isAttentionLayer) : true;
}

const shapeText = (shape: readonly (number | null)[]) => fmtShape(shape.map((d) => d ?? -1)).replace(/-1/g, '?');

function checkMaskShape(name: string, mask: tf.Tensor, allowed: readonly (readonly number[])[]): void {
  if (!allowed.some((s) => s.length === mask.rank && s.every((d, i) => d === mask.shape[i]))) {
    throw new SasError('E_SHAPE', `SASMultiHeadAttention: ${name} must be ${allowed.map(shapeText).join(' or ')}, got ${shapeText(mask.shape)}`);
  }
}

/** Lower-triangular [1, Tq, Tk] mask, Keras's convention: query i sees keys 0 … i (top-left aligned when Tq ≠ Tk). */
function causalKeep(tq: number, tk: number): tf.Tensor {
  const keep = new Uint8Array(tq * tk);
  for (let i = 0; i < tq; i++) keep.fill(1, i * tk, i * tk + Math.min(i + 1, tk));
  return tf.tensor(keep, [1, tq, tk], 'bool');
}

/**
 * Combines every mask of a call into one boolean [B, Tq, Tk] "may attend"
 * mask, as Keras's MultiHeadAttention does: query mask as [B, Tq, 1], value
 * and key masks as [B, 1, Tk], the causal mask and `attentionMask`, all
 * AND-ed. Null when the call has no mask at all. A mask of another shape is
 * an `E_SHAPE` error naming it. Call inside `tf.tidy`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const keep = attentionKeep(2, 3, 3, { value: tf.tensor2d([[1, 1, 0], [1, 1, 1]]) }, true); // [2, 3, 3] bool
 * ```
 */
export function attentionKeep(batch: number, tq: number, tk: number, masks: CallMasks, causal: boolean): tf.Tensor | null {
  const parts: tf.Tensor[] = [];
  const asBool = (m: tf.Tensor) => (m.dtype === 'bool' ? m : tf.notEqual(m, 0));
  if (masks.query) {
    checkMaskShape('the query mask', masks.query, [[batch, tq]]);
    parts.push(tf.reshape(asBool(masks.query), [batch, tq, 1]));
  }
  for (const [name, mask] of [
    ['the value mask', masks.value],
    ['the key mask', masks.key],
  ] as const) {
    if (!mask) continue;
    checkMaskShape(name, mask, [[batch, tk]]);
    parts.push(tf.reshape(asBool(mask), [batch, 1, tk]));
  }
  if (masks.attention) {
    checkMaskShape('attentionMask', masks.attention, [
      [batch, tq, tk],
      [1, tq, tk],
      [tq, tk],
    ]);
    parts.push(tf.reshape(asBool(masks.attention), [-1, tq, tk]));
  }
  if (causal) parts.push(causalKeep(tq, tk));
  if (parts.length === 0) return null;
  const keep = parts.reduce((a, b) => tf.logicalAnd(a, b));
  return tf.logicalAnd(keep, tf.ones([batch, tq, tk], 'bool')); // broadcast to the full shape
}

/**
 * The attend graph's mask inputs, [B, 1, Tq, Tk] float32: `attention_bias`
 * is 0 where a query may attend and −∞ where not, except on rows with no
 * key left, which stay all 0 so that their softmax is finite (uniform);
 * `attention_keep` (1/0) then zeroes those rows' probabilities. Call inside
 * `tf.tidy`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const { attention_bias, attention_keep } = maskFeeds(tf.tensor3d([[[true, false], [false, false]]]));
 * // bias [[0, −∞], [0, 0]], keep [[1, 0], [0, 0]]
 * ```
 */
export function maskFeeds(keep: tf.Tensor): { attention_bias: tf.Tensor; attention_keep: tf.Tensor } {
  const [batch, tq, tk] = keep.shape;
  const rowHasKey = tf.any(keep, -1, true);
  const open = tf.logicalOr(keep, tf.logicalNot(rowHasKey));
  const bias = tf.where(open, tf.zeros(keep.shape), tf.fill(keep.shape, -Infinity));
  return {
    attention_bias: tf.reshape(bias, [batch, 1, tq, tk]),
    attention_keep: tf.reshape(tf.cast(keep, 'float32'), [batch, 1, tq, tk]),
  };
}
