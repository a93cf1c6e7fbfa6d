import { SasError } from '../errors.js';
import { grad } from '../autodiff/grad.js';
import { GraphBuilder, type NodeRef } from '../ir/builder.js';
import { leafName, type Graph } from '../ir/types.js';
import { add } from '../ops/Add.js';
import { div } from '../ops/Div.js';
import { mul } from '../ops/Mul.js';
import { reduceSum } from '../ops/ReduceSum.js';
import { sqrt } from '../ops/Sqrt.js';
import { step } from '../ops/Step.js';
import { sub } from '../ops/Sub.js';

/** Plain SGD: p ← p − lr·(g + weightDecay·p). */
export interface SGDOptions {
  readonly kind: 'sgd';
  readonly lr: number;
  readonly weightDecay?: number;
  /** Clip gradients to this global L2 norm first (MODEL.md); default no clipping. */
  readonly clipNorm?: number;
}

/** AdamW as `torch.optim.AdamW` (decoupled weight decay, bias-corrected moments, t counting from 1). */
export interface AdamWOptions {
  readonly kind: 'adamw';
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
  /** Clip gradients to this global L2 norm first (MODEL.md); default no clipping. */
  readonly clipNorm?: number;
}

export type OptimizerOptions = SGDOptions | AdamWOptions;

/** Options of the training step beyond the optimizer. */
export interface TrainingStepOptions {
  /** Params that stay as they are: no gradient, no decay, no update, out of the clipping norm. */
  readonly frozen?: readonly string[];
}

/**
 * Scalar inputs of the training-step graph, fed per step, so one graph
 * serves every step and any learning-rate schedule: the learning rate, and
 * AdamW's `lr / (1 − β1ᵗ)` and `√(1 − β2ᵗ)` (torch's step_size and
 * bias_correction2_sqrt).
 */
export const STEP_SCALARS = { lr: 'opt.lr', stepSize: 'opt.step_size', biasCorrection2Sqrt: 'opt.bc2_sqrt' } as const;
export const stateName = (moment: 'm' | 'v', param: string) => `opt.${moment}.${param}`;
export const nextName = (name: string) => `next.${name}`;
/** The output holding the global L2 norm of the trainable gradients, before clipping. */
export const GRAD_NORM = 'grad_norm';

/** MODEL.md's clipping floor: coef = min(1, clipNorm / (norm + 1e-6)). */
const CLIP_EPS = 1e-6;

const positive = (v: unknown) => typeof v === 'number' && v > 0 && Number.isFinite(v);

/**
 * Throws `E_CONFIG` naming the field when optimizer options are malformed.
 *
 * @example
 * ```ts
 * import { checkOptimizerOptions } from '@sas/core';
 * checkOptimizerOptions({ kind: 'adamw', lr: 0 }); // throws: optimizer.lr: expected a positive finite number, got 0
 * ```
 */
export function checkOptimizerOptions(o: OptimizerOptions): void {
  if (o === null || typeof o !== 'object') throw new SasError('E_CONFIG', `optimizer: expected an object, got ${String(o)}`);
  if (o.kind !== 'sgd' && o.kind !== 'adamw')
    throw new SasError('E_CONFIG', `optimizer.kind: expected 'sgd' or 'adamw', got ${JSON.stringify((o as { kind: unknown }).kind)}`);
  if (!positive(o.lr)) throw new SasError('E_CONFIG', `optimizer.lr: expected a positive finite number, got ${o.lr}`);
  if (o.clipNorm !== undefined && !positive(o.clipNorm))
    throw new SasError('E_CONFIG', `optimizer.clipNorm: expected a positive finite number, got ${o.clipNorm}`);
  const wd = o.weightDecay;
  if (wd !== undefined && !(typeof wd === 'number' && wd >= 0 && Number.isFinite(wd)))
    throw new SasError('E_CONFIG', `optimizer.weightDecay: expected a non-negative finite number, got ${wd}`);
  if (o.kind === 'adamw') {
    for (const f of ['beta1', 'beta2'] as const) {
      const b = o[f];
      if (b !== undefined && !(typeof b === 'number' && b >= 0 && b < 1))
        throw new SasError('E_CONFIG', `optimizer.${f}: expected a number in [0, 1), got ${b}`);
    }
    if (o.eps !== undefined && !(typeof o.eps === 'number' && o.eps >= 0 && Number.isFinite(o.eps)))
      throw new SasError('E_CONFIG', `optimizer.eps: expected a non-negative finite number, got ${o.eps}`);
  }
}

/**
 * The trainable params of `graph`: every Param but the frozen ones (each of
 * which must exist; freezing everything is an error).
 *
 * @example
 * ```ts
 * import { buildModel, frozenParams, trainableParams } from '@sas/core';
 * const config = { vocab: 9, width: 8, layers: 1, heads: 2, maxSeqLen: 4, freeze: 'maps',
 *   attention: { kind: 'sas', simHeads: 4, simHeadDim: 4, kernelSize: 3 } } as const;
 * trainableParams(buildModel(config, { batch: 1, seqLen: 4 }), frozenParams(config)).length; // 22
 * ```
 */
export function trainableParams(graph: Graph, frozen: readonly string[] = []): string[] {
  const names = graph.nodes.filter((n) => n.op === 'Param').map(leafName);
  for (const name of frozen) if (!names.includes(name)) throw new SasError('E_CONFIG', `frozen: the graph has no param '${name}'`);
  const trainable = names.filter((n) => !frozen.includes(n));
  if (trainable.length === 0) throw new SasError('E_CONFIG', 'frozen: every param is frozen, nothing would train');
  return trainable;
}

/** min(c, 1), exactly: c where c ≤ 1 (Step is 0 there), 1 elsewhere. */
function atMostOne(c: NodeRef): NodeRef {
  const above = step(sub(c, 1));
  return add(above, mul(sub(1, above), c));
}

/**
 * One optimisation step as a graph: the loss, the gradients of the trainable
 * params (`grad.<name>`), their global L2 norm (`grad_norm`, before
 * clipping), and the updated params (and AdamW moments) as outputs
 * `next.<name>`. With `clipNorm`, gradients are scaled by
 * `min(1, clipNorm / (norm + 1e-6))` first. Frozen params get no gradient, no
 * decay and no update, and stay out of the norm. Built from core ops only, so
 * every backend trains. The scalars of `STEP_SCALARS` are inputs, so one graph
 * serves every step and any learning-rate schedule.
 *
 * @example
 * ```ts
 * import { buildLayer, withCotangentLoss, buildTrainingStep } from '@sas/core';
 * const layer = buildLayer({ kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true });
 * const step = buildTrainingStep(withCotangentLoss(layer, 'output'), 'loss', { kind: 'adamw', lr: 1e-3, clipNorm: 1 });
 * Object.keys(step.outputs).includes('next.output_dense.weight'); // true
 * ```
 */
export function buildTrainingStep(graph: Graph, loss: string, optimizer: OptimizerOptions, options: TrainingStepOptions = {}): Graph {
  checkOptimizerOptions(optimizer);
  const trainable = trainableParams(graph, options.frozen);
  const withGrads = grad(graph, loss, { wrt: trainable });
  const { builder: b, refs } = GraphBuilder.from(withGrads);
  const paramNode = new Map(withGrads.nodes.filter((n) => n.op === 'Param').map((n) => [leafName(n), n]));
  const raw = trainable.map((name) => refs[withGrads.outputs[`grad.${name}`]]);
  const squares = raw.map((g) =>
    reduceSum(
      mul(g, g),
      g.shape.map((_, i) => i),
    ),
  );
  const norm = sqrt(squares.reduce((acc, s) => add(acc, s)));
  b.output(GRAD_NORM, norm);
  const coef = optimizer.clipNorm === undefined ? undefined : atMostOne(div(optimizer.clipNorm, add(norm, CLIP_EPS)));
  const grads = coef ? raw.map((g) => mul(g, coef)) : raw;
  const lr = b.input(STEP_SCALARS.lr, []);
  const wd = optimizer.weightDecay ?? 0;
  const outputs: [string, NodeRef][] = [];
  if (optimizer.kind === 'sgd') {
    trainable.forEach((name, i) => {
      const param = refs[paramNode.get(name)!.id];
      const update = wd > 0 ? add(grads[i], mul(param, wd)) : grads[i];
      outputs.push([nextName(name), sub(param, mul(update, lr))]);
    });
  } else {
    const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = optimizer;
    const stepSize = b.input(STEP_SCALARS.stepSize, []);
    const bc2Sqrt = b.input(STEP_SCALARS.biasCorrection2Sqrt, []);
    const decay = wd > 0 ? sub(1, mul(lr, wd)) : undefined;
    trainable.forEach((name, i) => {
      const node = paramNode.get(name)!;
      const param = refs[node.id];
      const g = grads[i];
      // In torch.optim.AdamW's order: decay, m.lerp_(g, 1 − β1), v·β2 + (1 − β2)·g², then p − step_size·m/(√v/√bc2 + eps).
      const m0 = b.input(stateName('m', name), node.shape);
      const m = add(m0, mul(sub(g, m0), 1 - beta1));
      const v = add(mul(b.input(stateName('v', name), node.shape), beta2), mul(mul(g, g), 1 - beta2));
      const decayed = decay ? mul(param, decay) : param;
      const denom = add(div(sqrt(v), bc2Sqrt), eps);
      outputs.push([nextName(name), sub(decayed, mul(stepSize, div(m, denom)))], [nextName(stateName('m', name)), m], [nextName(stateName('v', name)), v]);
    });
  }
  for (const [name, ref] of outputs) b.output(name, ref);
  return b.build();
}
