import { GraphBuilder, type NodeRef } from '../ir/builder.js';
import { mul } from '../ops/Mul.js';
import { reduceSum } from '../ops/ReduceSum.js';
import { evaluateReference } from '../reference/interpreter.js';
import type { Tensor } from '../tensor.js';
import { grad } from './grad.js';

/** The worst disagreement between analytic and numerical gradients of one input. */
export interface GradCheckResult {
  readonly input: string;
  readonly maxAbsError: number;
  /** max |analytic − numeric| / max(1, |numeric|) */
  readonly maxScaledError: number;
}

/**
 * Checks reverse-mode gradients against central finite differences in float64.
 * `build` maps input nodes to one output node; the loss is Σ output·R for a
 * fixed cotangent R, so every output element's gradient is exercised.
 *
 * @example
 * ```ts
 * import { exp, numericalGradientCheck, tensor } from '@sas/core';
 * const [r] = await numericalGradientCheck(([x]) => exp(x), { x: tensor([0.1, -0.3], [2]) }, tensor([1, 2], [2]));
 * r.maxScaledError < 1e-7; // true
 * ```
 */
export async function numericalGradientCheck(
  build: (inputs: NodeRef[]) => NodeRef,
  inputs: Readonly<Record<string, Tensor>>,
  cotangent: Tensor,
  epsilon = 1e-6,
): Promise<GradCheckResult[]> {
  const b = new GraphBuilder('float64');
  const refs = Object.entries(inputs).map(([name, t]) => b.input(name, t.shape));
  const out = build(refs);
  const r = b.input('__cotangent', out.shape);
  b.output(
    'loss',
    reduceSum(
      mul(out, r),
      out.shape.map((_, i) => i),
    ),
  );
  const lossGraph = b.build();
  const gradGraph = grad(lossGraph, 'loss', { wrt: Object.keys(inputs) });
  const feeds = { ...inputs, __cotangent: cotangent };
  const analytic = await evaluateReference(gradGraph, feeds, { nonFinite: 'allow' });
  const lossAt = async (name: string, index: number, delta: number) => {
    const data = Float64Array.from(inputs[name].data);
    data[index] += delta;
    const res = await evaluateReference(
      lossGraph,
      { ...feeds, [name]: { dtype: 'float64', shape: inputs[name].shape, data } },
      { outputs: ['loss'], nonFinite: 'allow' },
    );
    return res.loss.data[0];
  };
  const results: GradCheckResult[] = [];
  for (const [name, t] of Object.entries(inputs)) {
    const g = analytic[`grad.${name}`].data;
    let maxAbs = 0;
    let maxScaled = 0;
    for (let i = 0; i < t.data.length; i++) {
      const numeric = ((await lossAt(name, i, epsilon)) - (await lossAt(name, i, -epsilon))) / (2 * epsilon);
      const err = Math.abs(g[i] - numeric);
      maxAbs = Math.max(maxAbs, err);
      maxScaled = Math.max(maxScaled, err / Math.max(1, Math.abs(numeric)));
    }
    results.push({ input: name, maxAbsError: maxAbs, maxScaledError: maxScaled });
  }
  return results;
}
