import { SasError } from '../errors.js';
import { grad } from '../autodiff/grad.js';
import { GraphBuilder, type NodeRef } from '../ir/builder.js';
import { leafName, type Graph } from '../ir/types.js';
import { add } from '../ops/Add.js';
import { div } from '../ops/Div.js';
import { mul } from '../ops/Mul.js';
import { sqrt } from '../ops/Sqrt.js';
import { sub } from '../ops/Sub.js';

/** Plain SGD: p ← p − lr·(g + weightDecay·p). */
export interface SGDOptions {
  readonly kind: 'sgd';
  readonly lr: number;
  readonly weightDecay?: number;
}

/** AdamW as in PyTorch (decoupled weight decay, bias-corrected moments). */
export interface AdamWOptions {
  readonly kind: 'adamw';
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
}

export type OptimizerOptions = SGDOptions | AdamWOptions;

/** Names used by the training-step graph. */
export const STEP_SCALARS = { lr: 'opt.lr', biasCorrection1: 'opt.bc1', biasCorrection2: 'opt.bc2' } as const;
export const stateName = (moment: 'm' | 'v', param: string) => `opt.${moment}.${param}`;
export const nextName = (name: string) => `next.${name}`;

function checkOptions(o: OptimizerOptions): void {
  if (o.kind !== 'sgd' && o.kind !== 'adamw')
    throw new SasError('E_CONFIG', `optimizer.kind: expected 'sgd' or 'adamw', got ${JSON.stringify((o as { kind: unknown }).kind)}`);
  if (!(o.lr > 0) || !Number.isFinite(o.lr)) throw new SasError('E_CONFIG', `optimizer.lr: expected a positive finite number, got ${o.lr}`);
}

/**
 * One optimisation step as a graph: the loss, its gradients, and the updated
 * parameters (and AdamW moments) as outputs `next.<name>`. Built from core ops
 * only, so every backend trains. The learning rate and bias corrections are
 * scalar inputs, so one graph serves every step.
 *
 * @example
 * ```ts
 * import { buildLayer, withCotangentLoss, buildTrainingStep } from '@sas/core';
 * const layer = buildLayer({ kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true });
 * const step = buildTrainingStep(withCotangentLoss(layer, 'output'), 'loss', { kind: 'adamw', lr: 1e-3 });
 * Object.keys(step.outputs).includes('next.output_dense.weight'); // true
 * ```
 */
export function buildTrainingStep(graph: Graph, loss: string, optimizer: OptimizerOptions): Graph {
  checkOptions(optimizer);
  const withGrads = grad(graph, loss);
  const { builder: b, refs } = GraphBuilder.from(withGrads);
  const params = withGrads.nodes.filter((n) => n.op === 'Param');
  const lr = b.input(STEP_SCALARS.lr, []);
  const wd = optimizer.weightDecay ?? 0;
  const outputs: [string, NodeRef][] = [[loss, refs[withGrads.outputs[loss]]]];
  if (optimizer.kind === 'sgd') {
    for (const p of params) {
      const name = leafName(p);
      const param = refs[p.id];
      const g = refs[withGrads.outputs[`grad.${name}`]];
      const update = wd > 0 ? add(g, mul(param, wd)) : g;
      outputs.push([nextName(name), sub(param, mul(update, lr))]);
    }
  } else {
    const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = optimizer;
    const bc1 = b.input(STEP_SCALARS.biasCorrection1, []);
    const bc2 = b.input(STEP_SCALARS.biasCorrection2, []);
    for (const p of params) {
      const name = leafName(p);
      const param = refs[p.id];
      const g = refs[withGrads.outputs[`grad.${name}`]];
      const m = add(mul(b.input(stateName('m', name), p.shape), beta1), mul(g, 1 - beta1));
      const v = add(mul(b.input(stateName('v', name), p.shape), beta2), mul(mul(g, g), 1 - beta2));
      const decayed = wd > 0 ? sub(param, mul(mul(param, lr), wd)) : param;
      const stepDir = div(mul(m, bc1), add(sqrt(mul(v, bc2)), eps));
      outputs.push([nextName(name), sub(decayed, mul(stepDir, lr))], [nextName(stateName('m', name)), m], [nextName(stateName('v', name)), v]);
    }
  }
  for (const [name, ref] of outputs) b.output(name, ref);
  return b.build();
}
