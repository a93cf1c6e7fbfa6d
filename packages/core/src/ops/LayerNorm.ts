import type { NodeRef } from '../ir/builder.js';
import { add } from './Add.js';
import { layerNormGrad } from './LayerNormGrad.js';
import { checkEps, checkNormShapes, evaluateNormalized, leadingAxes, normalizedNodes, LAYER_NORM_ATTRS } from './layer-norm-parts.js';
import { mul } from './Mul.js';
import { defineOp, shapeError } from './op.js';
import { reduceSum } from './ReduceSum.js';

/**
 * Layer normalisation over the last axis, as `torch.nn.LayerNorm`:
 * `(x − mean) / √(var + eps) · weight + bias` with the biased variance.
 * VJP: `LayerNormGrad` for x and weight, a sum of g for the bias. A
 * composite: decomposes into ReduceSum, Sub, Div, Mul, Add and Sqrt.
 */
export const LayerNorm = defineOp({
  name: 'LayerNorm',
  arity: 3,
  attrs: LAYER_NORM_ATTRS,
  shapeRule: 'x [..., w], weight [w], bias [w] → shape of x',
  summary:
    'Layer norm over the last axis: (x − mean)/√(var + eps)·weight + bias, biased variance (torch.nn.LayerNorm). x [...,w], weight and bias [w]. VJP: LayerNormGrad (x, weight), Σg (bias). Composite: ReduceSum, Sub, Div, Mul, Add, Sqrt.',
  checkAttrs: (attrs) => checkEps('LayerNorm', attrs),
  inferShape: (inputs) => {
    const [x, weight, bias] = inputs;
    const w = checkNormShapes('LayerNorm', x, weight, inputs);
    if (bias.shape.length !== 1 || bias.shape[0] !== w) shapeError('LayerNorm', `bias must have shape [${w}] (the last axis of x)`, inputs);
    return [...x.shape];
  },
  evaluate: ([x, weight, bias], { eps }) => {
    const w = weight.data.length;
    const { xhat } = evaluateNormalized(x, eps);
    return xhat.map((v, i) => v * weight.data[i % w] + bias.data[i % w]);
  },
  vjp: (g, [x, weight], _y, { eps }) => [layerNormGrad(x, weight, g, eps, 'x'), layerNormGrad(x, weight, g, eps, 'weight'), reduceSum(g, leadingAxes(x))],
  decompose: ([x, weight, bias], { eps }) => add(mul(normalizedNodes(x, eps).xhat, weight), bias),
});

/**
 * Layer norm of `x` [..., w] over its last axis with `weight` and `bias` [w].
 *
 * @example
 * ```ts
 * import { GraphBuilder, layerNorm } from '@sas/core';
 * const b = new GraphBuilder();
 * const h = layerNorm(b.input('x', [2, 9, 16]), b.param('ln1.weight', [16]), b.param('ln1.bias', [16])); // eps 1e-5
 * ```
 */
export function layerNorm(x: NodeRef, weight: NodeRef, bias: NodeRef, eps = 1e-5): NodeRef {
  return x.builder.apply('LayerNorm', [x, weight, bias], { eps });
}
