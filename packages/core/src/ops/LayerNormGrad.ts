import type { NodeRef } from '../ir/builder.js';
import { div } from './Div.js';
import { checkEps, checkNormShapes, evaluateNormalized, leadingAxes, normalizedNodes, LAYER_NORM_ATTRS } from './layer-norm-parts.js';
import { mul } from './Mul.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { attrError, defineOp, shapeError } from './op.js';
import { reduceSum } from './ReduceSum.js';
import { sub } from './Sub.js';

/** Which input of LayerNorm the gradient is taken with respect to (the bias gradient is a plain sum). */
export type LayerNormOperand = 'x' | 'weight';

const LAYER_NORM_GRAD_ATTRS = {
  ...LAYER_NORM_ATTRS,
  wrt: { type: 'enum', values: ['x', 'weight'], doc: 'the input the gradient is taken with respect to' },
} as const satisfies AttrSchema;

/** LayerNormGrad's attributes. */
export type LayerNormGradAttrs = AttrsOf<typeof LAYER_NORM_GRAD_ATTRS>;

/**
 * One input cotangent of `LayerNorm(x, weight, bias)` from x, weight and the
 * output cotangent g. With x̂ the normalised rows and rstd = 1/√(var + eps):
 * `d weight = Σ_rows g ⊙ x̂`; `dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂))`
 * with ĝ = g ⊙ weight, means over the last axis. A composite: a kernel can
 * compute a row at a time from x; the decomposition recomputes x̂ with the
 * same nodes as LayerNorm's, which lowering merges.
 */
export const LayerNormGrad = defineOp({
  name: 'LayerNormGrad',
  arity: 3,
  attrs: LAYER_NORM_GRAD_ATTRS,
  shapeRule: 'x [..., w], weight [w], g [..., w] → shape of x (wrt x) or [w] (wrt weight)',
  summary:
    '∂/∂x or ∂/∂weight (attr wrt) of LayerNorm(x, weight, ·) given the output cotangent g: dweight = Σ_rows g⊙x̂; dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)), ĝ = g⊙weight. Composite: primitives recomputing x̂.',
  checkAttrs: (attrs) => {
    checkEps('LayerNormGrad', attrs);
    if (attrs.wrt !== 'x' && attrs.wrt !== 'weight') attrError('LayerNormGrad', `wrt must be 'x' or 'weight', got ${JSON.stringify(attrs.wrt)}`);
  },
  inferShape: (inputs, { wrt }) => {
    const [x, weight, g] = inputs;
    checkNormShapes('LayerNormGrad', x, weight, inputs);
    if (g.shape.length !== x.shape.length || g.shape.some((d, i) => d !== x.shape[i]))
      shapeError('LayerNormGrad', 'the cotangent g (c) must be shaped like x', inputs);
    return wrt === 'x' ? [...x.shape] : [...weight.shape];
  },
  evaluate: ([x, weight, g], { eps, wrt }) => {
    const w = weight.data.length;
    const { xhat, rstd } = evaluateNormalized(x, eps);
    if (wrt === 'weight') {
      const dw = new Float64Array(w);
      for (let i = 0; i < xhat.length; i++) dw[i % w] += g.data[i] * xhat[i];
      return dw;
    }
    const dx = new Float64Array(x.data.length);
    for (let r = 0; r < rstd.length; r++) {
      let meanG = 0;
      let meanGX = 0;
      for (let j = 0; j < w; j++) {
        const gh = g.data[r * w + j] * weight.data[j];
        meanG += gh;
        meanGX += gh * xhat[r * w + j];
      }
      meanG /= w;
      meanGX /= w;
      for (let j = 0; j < w; j++) dx[r * w + j] = rstd[r] * (g.data[r * w + j] * weight.data[j] - meanG - xhat[r * w + j] * meanGX);
    }
    return dx;
  },
  // No VJP: second derivatives through layer norm are not supported.
  decompose: ([x, weight, g], { eps, wrt }) => {
    const { xhat, rstd } = normalizedNodes(x, eps);
    if (wrt === 'weight') return reduceSum(mul(g, xhat), leadingAxes(x));
    const w = x.shape[x.shape.length - 1];
    const gh = mul(g, weight);
    const meanG = div(reduceSum(gh, [-1], true), w);
    const meanGX = div(reduceSum(mul(gh, xhat), [-1], true), w);
    return mul(rstd, sub(sub(gh, meanG), mul(xhat, meanGX)));
  },
});

/**
 * The cotangent of `LayerNorm(x, weight, ·)` w.r.t. `wrt`, given the output cotangent `g`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, layerNormGrad } from '@sas/core';
 * const b = new GraphBuilder();
 * const x = b.input('x', [4, 8]);
 * const dx = layerNormGrad(x, b.param('w', [8]), b.input('g', [4, 8]), 1e-5, 'x'); // [4, 8]
 * ```
 */
export function layerNormGrad(x: NodeRef, weight: NodeRef, g: NodeRef, eps: number, wrt: LayerNormOperand): NodeRef {
  return x.builder.apply('LayerNormGrad', [x, weight, g], { eps, wrt });
}
