import type { Backend, Feeds } from '../backend/types.js';
import { SasError } from '../errors.js';
import { ownValue } from '../names.js';
import { leafName, type Graph } from '../ir/types.js';
import { allocate, fmtShape, sameShape, type Tensor } from '../tensor.js';
import {
  buildTrainingStep,
  GRAD_NORM,
  nextName,
  stateName,
  STEP_SCALARS,
  trainableParams,
  type OptimizerOptions,
  type TrainingStepOptions,
} from './optimizer.js';

const scalar = (dtype: Graph['dtype'], v: number): Tensor => ({ dtype, shape: [], data: dtype === 'float32' ? Float32Array.of(v) : Float64Array.of(v) });

const copy = (t: Tensor): Tensor => ({ dtype: t.dtype, shape: [...t.shape], data: t.data.slice() });

/** Everything a run needs to continue exactly where it stopped (what a checkpoint holds). */
export interface TrainerState {
  /** Steps taken so far (AdamW's t of the last step). */
  readonly step: number;
  /** Every param by name, frozen ones included. */
  readonly params: Readonly<Record<string, Tensor>>;
  /** AdamW moments `opt.m.<name>` and `opt.v.<name>` of the trainable params (none for SGD). */
  readonly moments: Readonly<Record<string, Tensor>>;
}

/** Options of one `Trainer.step`. */
export interface StepOptions {
  /** Learning rate of this step (a schedule's value, e.g. `lrAt`); default the optimizer's `lr`. */
  readonly lr?: number;
}

/**
 * Trains a graph's params on any backend: holds the params and optimizer
 * state on the host, runs one training-step graph per call (gradients,
 * optional global-norm clipping, SGD or AdamW as torch.optim.AdamW), and
 * swaps in the updates. Frozen params are fed but never change. The whole
 * state can be exported and imported, so a run resumes bit for bit.
 *
 * @example
 * ```ts
 * import { buildLayer, withCotangentLoss, initParams, createReferenceBackend, Trainer } from '@sas/core';
 * const config = { kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true } as const;
 * const trainer = new Trainer(createReferenceBackend(), withCotangentLoss(buildLayer(config), 'output'), 'loss', initParams(config, 1), { kind: 'sgd', lr: 0.1 });
 * // const loss = await trainer.step({ query, key, value, cotangent }, { lr: 0.05 });
 * ```
 */
export class Trainer {
  readonly stepGraph: Graph;
  /** Names of the params that train (every param but the frozen ones). */
  readonly trainable: readonly string[];
  private readonly state: Record<string, Tensor> = {};
  private readonly paramNames: readonly string[];
  private readonly outputs: readonly string[];
  private t = 0;
  private gradNorm = Number.NaN;

  constructor(
    private readonly backend: Backend,
    graph: Graph,
    private readonly loss: string,
    params: Readonly<Record<string, Tensor>>,
    private readonly optimizer: OptimizerOptions,
    options: TrainingStepOptions = {},
  ) {
    this.stepGraph = buildTrainingStep(graph, loss, optimizer, options);
    this.trainable = trainableParams(graph, options.frozen);
    const paramNodes = graph.nodes.filter((n) => n.op === 'Param');
    this.paramNames = paramNodes.map(leafName);
    for (const p of paramNodes) {
      const name = leafName(p);
      const given = params[name];
      if (!given) throw new SasError('E_WEIGHTS', `Trainer: missing param '${name}' of shape ${fmtShape(p.shape)}`);
      if (!sameShape(given.shape, p.shape))
        throw new SasError('E_WEIGHTS', `Trainer: param '${name}' has shape ${fmtShape(given.shape)}, expected ${fmtShape(p.shape)}`);
      this.state[name] = given;
    }
    if (optimizer.kind === 'adamw') {
      for (const p of paramNodes.filter((n) => this.trainable.includes(leafName(n)))) {
        for (const m of ['m', 'v'] as const) {
          this.state[stateName(m, leafName(p))] = {
            dtype: graph.dtype,
            shape: [...p.shape],
            data: allocate(
              graph.dtype,
              p.shape.reduce((a, b) => a * b, 1),
            ),
          };
        }
      }
    }
    this.outputs = [loss, GRAD_NORM, ...Object.keys(this.stepGraph.outputs).filter((n) => n.startsWith('next.'))];
  }

  /** Current parameters by name (frozen ones included). */
  get params(): Record<string, Tensor> {
    return Object.fromEntries(this.paramNames.map((name) => [name, this.state[name]]));
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.t;
  }

  /** Global L2 norm of the trainable gradients at the last step, before clipping (NaN before the first step). */
  get lastGradNorm(): number {
    return this.gradNorm;
  }

  /** One step on a batch of inputs; resolves to the loss before the update. */
  async step(inputs: Feeds, options: StepOptions = {}): Promise<number> {
    const lr = options.lr ?? this.optimizer.lr;
    if (typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr))
      throw new SasError('E_CONFIG', `step: lr must be a non-negative finite number, got ${lr}`);
    const t = this.t + 1;
    const dtype = this.stepGraph.dtype;
    const feeds: Record<string, Tensor> = { ...inputs, ...this.state, [STEP_SCALARS.lr]: scalar(dtype, lr) };
    if (this.optimizer.kind === 'adamw') {
      feeds[STEP_SCALARS.stepSize] = scalar(dtype, lr / (1 - (this.optimizer.beta1 ?? 0.9) ** t));
      feeds[STEP_SCALARS.biasCorrection2Sqrt] = scalar(dtype, Math.sqrt(1 - (this.optimizer.beta2 ?? 0.999) ** t));
    }
    const out = await this.backend.run(this.stepGraph, feeds, { outputs: this.outputs });
    for (const name of Object.keys(this.state)) {
      const next = out[nextName(name)];
      if (next) this.state[name] = next;
    }
    this.t = t;
    this.gradNorm = out[GRAD_NORM].data[0];
    return out[this.loss].data[0];
  }

  /**
   * A copy of the whole training state: step count, params, AdamW moments.
   * With the data position, it is what a checkpoint stores (`encodeCheckpoint`).
   */
  exportState(): TrainerState {
    const moments = Object.keys(this.state).filter((k) => k.startsWith('opt.'));
    return {
      step: this.t,
      params: Object.fromEntries(this.paramNames.map((n) => [n, copy(this.state[n])])),
      moments: Object.fromEntries(moments.map((n) => [n, copy(this.state[n])])),
    };
  }

  /**
   * Replaces the training state with `state` (copied), checking that it holds
   * every param and moment this trainer has, shaped alike, and nothing else:
   * the next step continues bit for bit as the run that exported it would have.
   */
  importState(state: TrainerState): void {
    if (!Number.isSafeInteger(state.step) || state.step < 0)
      throw new SasError('E_CONFIG', `importState: step must be a non-negative integer, got ${state.step}`);
    const given: Record<string, Tensor> = { ...state.params, ...state.moments };
    for (const name of Object.keys(this.state)) {
      const t = ownValue(given, name);
      if (!t) throw new SasError('E_WEIGHTS', `importState: missing tensor '${name}' of shape ${fmtShape(this.state[name].shape)}`);
      if (!sameShape(t.shape, this.state[name].shape))
        throw new SasError('E_WEIGHTS', `importState: tensor '${name}' has shape ${fmtShape(t.shape)}, expected ${fmtShape(this.state[name].shape)}`);
    }
    const unexpected = Object.keys(given).find((n) => !Object.hasOwn(this.state, n));
    if (unexpected) throw new SasError('E_WEIGHTS', `importState: unexpected tensor '${unexpected}' (not a param or optimizer moment of this trainer)`);
    for (const name of Object.keys(this.state)) this.state[name] = copy(given[name]);
    this.t = state.step;
  }
}
