import type { Backend, Feeds } from '../backend/types.js';
import { leafName, type Graph } from '../ir/types.js';
import { allocate, type Tensor } from '../tensor.js';
import { buildTrainingStep, nextName, stateName, STEP_SCALARS, type OptimizerOptions } from './optimizer.js';

const scalar = (dtype: Graph['dtype'], v: number): Tensor => ({ dtype, shape: [], data: dtype === 'float32' ? Float32Array.of(v) : Float64Array.of(v) });

/**
 * Trains a graph's params on any backend: holds the params and optimizer state
 * on the host, runs one training-step graph per call, and swaps in the updates.
 *
 * @example
 * ```ts
 * import { buildLayer, withCotangentLoss, initParams, createReferenceBackend, Trainer } from '@sas/core';
 * const config = { kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true } as const;
 * const trainer = new Trainer(createReferenceBackend(), withCotangentLoss(buildLayer(config), 'output'), 'loss', initParams(config, 1), { kind: 'sgd', lr: 0.1 });
 * // const loss = await trainer.step({ query, key, value, cotangent });
 * ```
 */
export class Trainer {
  readonly stepGraph: Graph;
  private readonly state: Record<string, Tensor> = {};
  private t = 0;

  constructor(
    private readonly backend: Backend,
    graph: Graph,
    private readonly loss: string,
    params: Readonly<Record<string, Tensor>>,
    private readonly optimizer: OptimizerOptions,
  ) {
    this.stepGraph = buildTrainingStep(graph, loss, optimizer);
    for (const p of graph.nodes.filter((n) => n.op === 'Param')) {
      const name = leafName(p);
      this.state[name] = params[name];
      if (optimizer.kind === 'adamw') {
        for (const m of ['m', 'v'] as const)
          this.state[stateName(m, name)] = {
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

  /** Current parameters by name. */
  get params(): Record<string, Tensor> {
    return Object.fromEntries(Object.entries(this.state).filter(([k]) => !k.startsWith('opt.')));
  }

  /** One step on a batch of inputs; resolves to the loss before the update. */
  async step(inputs: Feeds): Promise<number> {
    this.t++;
    const dtype = this.stepGraph.dtype;
    const feeds: Record<string, Tensor> = { ...inputs, ...this.state, [STEP_SCALARS.lr]: scalar(dtype, this.optimizer.lr) };
    if (this.optimizer.kind === 'adamw') {
      feeds[STEP_SCALARS.biasCorrection1] = scalar(dtype, 1 / (1 - (this.optimizer.beta1 ?? 0.9) ** this.t));
      feeds[STEP_SCALARS.biasCorrection2] = scalar(dtype, 1 / (1 - (this.optimizer.beta2 ?? 0.999) ** this.t));
    }
    const out = await this.backend.run(this.stepGraph, feeds);
    for (const name of Object.keys(this.state)) this.state[name] = out[nextName(name)];
    return out[this.loss].data[0];
  }
}
