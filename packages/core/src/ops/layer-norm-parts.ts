// What LayerNorm and LayerNormGrad share: the normalised rows x̂ and their
// reciprocal standard deviation, as float64 values (for the evaluates) and as
// primitive nodes (for the decompositions). Built the same way in both
// decompositions, so lowering merges them into one computation.

import type { NodeRef } from '../ir/builder.js';
import type { TensorType } from '../ir/types.js';
import { fmtShape } from '../tensor.js';
import { add } from './Add.js';
import { div } from './Div.js';
import { mul } from './Mul.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { attrError, shapeError, type RefTensor } from './op.js';
import { reduceSum } from './ReduceSum.js';
import { sqrt } from './Sqrt.js';
import { sub } from './Sub.js';

/** LayerNorm's attribute schema: the variance floor (PyTorch's default 1e-5). */
export const LAYER_NORM_ATTRS = {
  eps: { type: 'number', doc: 'added to the variance before the square root (PyTorch default 1e-5)' },
} as const satisfies AttrSchema;

/** LayerNorm's attributes. */
export type LayerNormAttrs = AttrsOf<typeof LAYER_NORM_ATTRS>;

/** Throws `E_ATTR` unless eps is a non-negative finite number. */
export function checkEps(op: string, { eps }: LayerNormAttrs): void {
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) attrError(op, `eps must be a non-negative finite number, got ${JSON.stringify(eps)}`);
}

/** Throws `E_SHAPE` unless x has rank ≥ 1 and `weight` is `[w]` for x `[..., w]`. */
export function checkNormShapes(op: string, x: TensorType, weight: TensorType, all: readonly TensorType[]): number {
  if (x.shape.length < 1) shapeError(op, 'x needs rank ≥ 1 ([..., w])', all);
  const w = x.shape[x.shape.length - 1];
  if (weight.shape.length !== 1 || weight.shape[0] !== w) shapeError(op, `weight must have shape ${fmtShape([w])} (the last axis of x)`, all);
  return w;
}

/** Per row of x [..., w]: x̂ = (x − mean)·rstd and rstd = 1/√(var + eps), biased variance. */
export function evaluateNormalized(x: RefTensor, eps: number): { xhat: Float64Array; rstd: Float64Array } {
  const w = x.shape[x.shape.length - 1];
  const rows = w === 0 ? 0 : x.data.length / w;
  const xhat = new Float64Array(x.data.length);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = x.data.subarray(r * w, (r + 1) * w);
    let sum = 0;
    for (const v of row) sum += v;
    const mean = sum / w;
    let squares = 0;
    for (const v of row) squares += (v - mean) * (v - mean);
    rstd[r] = 1 / Math.sqrt(squares / w + eps);
    for (let j = 0; j < w; j++) xhat[r * w + j] = (row[j] - mean) * rstd[r];
  }
  return { xhat, rstd };
}

/** The same, as primitive nodes: x̂ [..., w] and rstd [..., 1]. */
export function normalizedNodes(x: NodeRef, eps: number): { xhat: NodeRef; rstd: NodeRef } {
  const w = x.shape[x.shape.length - 1];
  const centred = sub(x, div(reduceSum(x, [-1], true), w));
  const variance = div(reduceSum(mul(centred, centred), [-1], true), w);
  const rstd = div(1, sqrt(add(variance, eps)));
  return { xhat: mul(centred, rstd), rstd };
}

/** The leading axes of x (all but the last), summed over for the weight and bias gradients. */
export function leadingAxes(x: TensorType): number[] {
  return x.shape.slice(0, -1).map((_, i) => i);
}
