import type { NodeRef } from '../ir/builder.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { attrError, defineOp, shapeError } from './op.js';
import { flip } from './Flip.js';
import { matMul } from './MatMul.js';
import { transpose } from './Transpose.js';

const CONV1D_ATTRS = { pad: { type: 'int', doc: 'zeros added on both sides of each row, 0 ≤ pad < k' } } as const satisfies AttrSchema;

/** Conv1d's attributes. */
export type Conv1dAttrs = AttrsOf<typeof CONV1D_ATTRS>;

/**
 * 1-d cross-correlation, stride 1, zero padding `pad` on both sides:
 * `y[n, o, j] = Σ_c Σ_t w[o, c, t] · x[n, c, j + t − pad]`. In SAS the channels
 * are heads and the positions are head features, so this is the conv over the head axis.
 */
export const Conv1d = defineOp({
  name: 'Conv1d',
  arity: 2,
  attrs: CONV1D_ATTRS,
  shapeRule: 'x [N,C,L], w [O,C,k] → [N, O, L+2·pad−k+1]; pad < k',
  summary:
    'Cross-correlation x [N,C,L] ⋆ w [O,C,k], stride 1, zero padding pad (any, as in PyTorch) on both sides → [N,O,L+2·pad−k+1]. No bias (add one with Add). SAS uses it with heads as channels and features as positions.',
  checkAttrs: ({ pad }) => {
    if (!Number.isInteger(pad) || pad < 0) attrError('Conv1d', `pad must be a non-negative integer, got ${pad}`);
  },
  inferShape: ([x, w], { pad }) => {
    if (x.shape.length !== 3 || w.shape.length !== 3) shapeError('Conv1d', 'x must be [N,C,L] and w [O,C,k]', [x, w]);
    const [, c, l] = x.shape;
    const [o, cw, k] = w.shape;
    if (c !== cw) shapeError('Conv1d', `channel counts differ: x has ${c}, w has ${cw}`, [x, w]);
    // Any padding, as in PyTorch: pad ≥ k only adds zeros beyond the kernel's reach (the weight
    // gradient of a SAS layer with (k−1)/2 ≥ D convolves at such a padding).
    const outLen = l + 2 * pad - k + 1;
    if (outLen < 1) shapeError('Conv1d', `kernel ${k} is longer than the padded length ${l + 2 * pad}`, [x, w]);
    return [x.shape[0], o, outLen];
  },
  evaluate: ([x, w], { pad }, outShape) => {
    const [n, c, l] = x.shape;
    const [o, , k] = w.shape;
    const outLen = outShape[2];
    const out = new Float64Array(n * o * outLen);
    for (let b = 0; b < n; b++)
      for (let oc = 0; oc < o; oc++)
        for (let j = 0; j < outLen; j++) {
          let s = 0;
          for (let ic = 0; ic < c; ic++)
            for (let t = 0; t < k; t++) {
              const pos = j + t - pad;
              if (pos >= 0 && pos < l) s += w.data[(oc * c + ic) * k + t] * x.data[(b * c + ic) * l + pos];
            }
          out[(b * o + oc) * outLen + j] = s;
        }
    return out;
  },
  vjp: (g, [x, w], _y, { pad }) => {
    const k = w.shape[2];
    // dx: correlate g with w flipped along t and with channels swapped, padding k−1−pad. With
    // pad ≥ k that padding would be negative: correlate unpadded, then keep the L positions
    // from pad−(k−1) on (the rest multiplied only the zeros of x's padding).
    const flipped = flip(transpose(w, [1, 0, 2]), 2);
    const dx = pad < k ? conv1d(g, flipped, k - 1 - pad) : keepPositions(conv1d(g, flipped, 0), pad - (k - 1), x.shape[2]);
    // dw[o,c,t] = Σ_n Σ_j g[n,o,j] x[n,c,j+t−pad]: a conv with batch↔channel roles swapped,
    // x as [C,N,L] and g as a kernel [O,N,Lout], giving [C,O,k].
    const dwSwapped = conv1d(transpose(x, [1, 0, 2]), transpose(g, [1, 0, 2]), pad);
    return [dx, transpose(dwSwapped, [1, 0, 2])];
  },
});

/**
 * Positions `start .. start+length` of the last axis of `y` [..., len], as a
 * product with a 0/1 selection matrix [len, length] (no slicing op needed).
 */
function keepPositions(y: NodeRef, start: number, length: number): NodeRef {
  const len = y.shape[y.shape.length - 1];
  const select = new Array<number>(len * length).fill(0);
  for (let p = 0; p < length; p++) select[(start + p) * length + p] = 1;
  return matMul(y, y.builder.constant(select, [len, length]));
}

/**
 * 1-d convolution (cross-correlation) of `x` [N,C,L] with `w` [O,C,k].
 *
 * @example
 * ```ts
 * import { GraphBuilder, conv1d } from '@sas/core';
 * const b = new GraphBuilder();
 * const y = conv1d(b.input('x', [8, 2, 16]), b.param('w', [4, 2, 3]), 1); // [8, 4, 16]
 * ```
 */
export function conv1d(x: NodeRef, w: NodeRef, pad: number): NodeRef {
  return x.builder.apply('Conv1d', [x, w], { pad });
}
